import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STACKS, synthesizeSampleApp } from '../src/index.js';
import { TEMPLATE_BODY_ELIDED } from '../src/report.js';
import { ARTIFACTS, chromiumMissing, openFile } from './browser.js';
import {
  changeSetsLeft,
  cli,
  deployJson,
  stackStatus,
  startTestEmulator,
  type TestEmulator,
} from './helpers.js';

const [DATA, SERVICE] = DEMO_STACKS;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const input = {
  environmentName: 'demo',
  cloudAssembly: 'cdk.out',
  capabilities: ['CAPABILITY_IAM'],
};

type Dirs = Awaited<ReturnType<typeof synthesizeSampleApp>>;

/** The file assets of a revision's service stack: where its asset manifest says each one goes. */
function fileAssets(dir: string): { bucket: string; key: string }[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'cdk.out', 'SampleService.assets.json'), 'utf8')) as {
    files: Record<string, { destinations: Record<string, { bucketName: string; objectKey: string }> }>;
  };
  return Object.values(manifest.files).flatMap((file) =>
    Object.values(file.destinations).map((destination) => ({
      bucket: destination.bucketName
        .replace(/\$\{AWS::AccountId\}/, ACCOUNT)
        .replace(/\$\{AWS::Region\}/, REGION),
      key: destination.objectKey,
    })),
  );
}

function templateOf(dir: string, stack: 'SampleData' | 'SampleService'): unknown {
  return JSON.parse(readFileSync(join(dir, 'cdk.out', `${stack}.template.json`), 'utf8'));
}

// The five scenarios of `pnpm start` (the two-stack sample app's life cycle), in order, through the
// real CLI; each checked from outside: stacks, templates, change sets, the published assets.
describe('safe-deploy deploy: the demo scenarios on the sample app (a cloud assembly of two stacks)', () => {
  let emulator: TestEmulator;
  let dirs: Dirs;
  let s3: S3Client;

  async function deployed(stack: string): Promise<unknown> {
    const answer = await emulator.cfn.send(new GetTemplateCommand({ StackName: stack }));
    return JSON.parse(answer.TemplateBody ?? '{}');
  }

  beforeAll(async () => {
    [emulator, dirs] = await Promise.all([
      startTestEmulator(),
      synthesizeSampleApp(join(tmpdir(), 'safe-deploy-test-cache')),
    ]);
    s3 = new S3Client({
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: emulator.credentials,
      forcePathStyle: true,
    });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('GIVEN no stack WHEN the base revision is deployed THEN its assets are published and both stacks created, data first (exit 0)', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dirs.base, input);
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({ result: 'Succeeded', executions: 2 });
    expect(summary.stacks).toEqual([
      expect.objectContaining({ stackName: DATA, outcome: 'created', stackStatus: 'CREATE_COMPLETE' }),
      expect.objectContaining({ stackName: SERVICE, outcome: 'created', stackStatus: 'CREATE_COMPLETE' }),
    ]);
    expect(summary.stacks?.[0]?.path.slice(0, 3)).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Publish Assets',
    ]);
    expect(summary.stacks?.[1]?.path).not.toContain('Publish Assets');
    // the function's code is in the bootstrap bucket at the manifest's key, and the template points there
    const assets = fileAssets(dirs.base);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset.bucket).toBe(`cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: asset.bucket, Key: asset.key }));
      expect(head.ContentLength ?? 0).toBeGreaterThan(0);
    }
    expect(JSON.stringify(await deployed(SERVICE))).toContain(assets[0]?.key ?? 'no asset');
    expect(await deployed(DATA)).toEqual(templateOf(dirs.base, 'SampleData'));
  });

  it('GIVEN both stacks WHEN the function code changes and a resource is added THEN the new asset is published and only the service stack is updated', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dirs['code-change'], input);
    // Assess
    expect(code).toBe(0);
    expect(summary.stacks).toEqual([
      expect.objectContaining({ stackName: DATA, outcome: 'no-changes' }),
      expect.objectContaining({ stackName: SERVICE, outcome: 'updated', stackStatus: 'UPDATE_COMPLETE' }),
    ]);
    const [asset] = fileAssets(dirs['code-change']);
    expect(asset?.key).not.toBe(fileAssets(dirs.base)[0]?.key);
    await s3.send(new HeadObjectCommand({ Bucket: asset?.bucket, Key: asset?.key }));
    expect(await deployed(SERVICE)).toEqual(templateOf(dirs['code-change'], 'SampleService'));
    for (const stack of DEMO_STACKS) expect(await changeSetsLeft(emulator.cfn, stack)).toBe(0);
  });

  it('GIVEN both stacks WHEN the table key changes THEN the data stack is refused, the service stack not attempted, nothing changed (exit 1), and the report says why', async () => {
    // Prepare
    const before = [await deployed(DATA), await deployed(SERVICE)];
    const report = join(emulator.home, 'report.html');
    // Act
    const { code, summary } = await deployJson(emulator, dirs['table-key-change'], input, [
      '--report',
      report,
      '--save',
      join(emulator.home, 'refused-run.json'),
    ]);
    // Assess
    expect(code).toBe(1);
    expect(summary).toMatchObject({
      result: 'Failed',
      executionStatus: 'FAILED',
      verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
      stackName: DATA,
      executions: 1,
    });
    expect(summary.stacks).toEqual([
      expect.objectContaining({ stackName: DATA, outcome: 'refused', stackStatus: 'CREATE_COMPLETE' }),
    ]);
    expect(summary.path).toEqual(expect.arrayContaining(['Delete Change Set', 'Deployment Refused']));
    expect(summary.path).not.toContain('Execute Change Set');
    expect(summary.message).toMatch(
      /^Stack demo-sample-data \(1 of 2\): RESOURCES-BEING-DELETED-OR-REPLACED/,
    );
    expect(summary.message).toContain('AWS::DynamoDB::Table');
    expect(summary.message).toContain('Not attempted, left as they were: demo-sample-service.');
    expect([await deployed(DATA), await deployed(SERVICE)]).toEqual(before);
    for (const stack of DEMO_STACKS) expect(await changeSetsLeft(emulator.cfn, stack)).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<link|<img|<iframe|\ssrc=|url\(http|href="http/);
    expect(html).toContain('RESOURCES-BEING-DELETED-OR-REPLACED');
    expect(html).toMatch(/data-state="Inspect Change Set Changes"/);
    expect(html).toMatch(/<td class="num">\d+ ms<\/td>/);
    expect(html).toContain('KeySchema requires recreation');
    // every stack of the assembly is in it: the refused one, and the one not attempted after it
    expect(html).toContain(
      'Not attempted: the stack before it, demo-sample-data, did not succeed; it stays as it was',
    );
    expect(html).toContain('&quot;deploymentId&quot;');
    expect(html).not.toContain('testing');
    // the template's text is shown once, in Load Template's output, and elided in the later inputs
    const bodies = [...html.matchAll(/&quot;body&quot;: &quot;(.{0,12})/g)].map((match) => match[1]);
    expect(bodies.filter((start) => !start?.startsWith(TEMPLATE_BODY_ELIDED.slice(0, 12)))).toHaveLength(1);
    expect(bodies.length).toBeGreaterThan(1);
    // the functions' log lines are in it, attributed to their states
    expect(html).toMatch(/Log lines of inspect-change-set \([1-9]\d*\)/);
  });

  it.skipIf(chromiumMissing !== undefined)(
    `GIVEN the refused run saved WHEN its report is rebuilt and opened in Chromium at 1280 px THEN it shows the failed path, the blocking resource first, a state's output on click, fits the window and requests nothing${chromiumMissing === undefined ? '' : ` — ${chromiumMissing}`}`,
    async () => {
      // Prepare: rebuild the report from the saved run (safe-deploy report)
      const rebuilt = join(emulator.home, 'rebuilt.html');
      const made = await cli(
        ['report', join(emulator.home, 'refused-run.json'), '--out', rebuilt],
        emulator.home,
      );
      expect(made.stderr).toBe('');
      expect(made.code).toBe(0);

      // Act
      const opened = await openFile(rebuilt);
      try {
        const { page } = opened;
        await page.screenshot({ path: join(ARTIFACTS, 'refused-report.png'), fullPage: true });

        // Assess: the failed path is drawn (green to the refusal, red into it, the untaken grey)
        expect(await page.locator('g.state.failed[data-state="Deployment Refused"]').count()).toBe(1);
        expect(await page.locator('g.state.succeeded[data-state="Inspect Change Set Changes"]').count()).toBe(
          1,
        );
        expect(await page.locator('g.state.not-taken[data-state="Execute Change Set"]').count()).toBe(1);
        expect(await page.locator('path.edge.taken.to-failed').count()).toBeGreaterThan(0);
        // the findings table, on the first screen and above the drawing, names the blocking resource
        const findings = page.locator('table.findings:not(.allowed)');
        await expect.poll(() => findings.locator('tbody tr').count()).toBe(1);
        const cells = await findings.locator('tbody tr td').allTextContents();
        // with several stacks, each finding names its stack first
        expect(cells.slice(0, 6)).toEqual([
          'demo-sample-data',
          '(root)',
          expect.stringMatching(/^Items\w+$/),
          'AWS::DynamoDB::Table',
          'Modify',
          'True',
        ]);
        expect(cells.join(' ')).toContain('KeySchema requires recreation');
        const table = await findings.boundingBox();
        const drawing = await page.locator('svg.machine').boundingBox();
        expect(table?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(900);
        expect(table?.y ?? 0).toBeLessThan(drawing?.y ?? 0);
        // clicking a state shows its output and its function's log lines
        const inspector = page.locator('aside.inspector');
        expect(await inspector.isVisible()).toBe(false);
        await page.locator('g.state[data-state="Inspect Change Set Changes"]').click();
        const detail = inspector.locator('.detail:not([hidden])');
        expect(await detail.count()).toBe(1);
        expect(await detail.locator('h3').textContent()).toBe('Inspect Change Set Changes');
        expect(await detail.locator('details.output pre').textContent()).toContain(
          '"verdict": "RESOURCES-BEING-DELETED-OR-REPLACED"',
        );
        expect(await detail.locator('pre.log').textContent()).not.toBe('none');
        await page.screenshot({ path: join(ARTIFACTS, 'refused-report-state.png') });
        // it fits 1280 px: nothing scrolls sideways, the inspector open or not
        expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
        // and nothing left the file
        expect(opened.leaks).toEqual([]);
      } finally {
        await opened.close();
      }
    },
  );

  it('GIVEN both stacks WHEN the same version is deployed again THEN both are green no-ops and no change set is left', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dirs['code-change'], input);
    // Assess
    expect(code).toBe(0);
    expect(summary.stacks).toEqual([
      expect.objectContaining({ stackName: DATA, outcome: 'no-changes' }),
      expect.objectContaining({ stackName: SERVICE, outcome: 'no-changes' }),
    ]);
    for (const stack of DEMO_STACKS) expect(await changeSetsLeft(emulator.cfn, stack)).toBe(0);
  });

  it('GIVEN both stacks WHEN only CDK metadata changes THEN it is never a finding: both change sets are executed', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dirs['metadata-only'], input);
    // Assess
    expect(code).toBe(0);
    expect(summary.stacks).toEqual([
      expect.objectContaining({
        stackName: DATA,
        outcome: 'updated',
        verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      }),
      expect.objectContaining({
        stackName: SERVICE,
        outcome: 'updated',
        verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      }),
    ]);
    expect(await deployed(DATA)).toEqual(templateOf(dirs['metadata-only'], 'SampleData'));
    expect(await stackStatus(emulator.cfn, SERVICE)).toBe('UPDATE_COMPLETE');
  });
});
