import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeSampleApp } from '../src/index.js';
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

const STACK = 'demo-sample-lambda-app';

function input(onUnsafeChange: 'fail' | 'blue-green' = 'fail') {
  return {
    environmentName: 'demo',
    stackName: 'sample-lambda-app',
    templatePath: 'SampleLambdaApp.template.json',
    parameters: { environmentName: 'demo' },
    capabilities: ['CAPABILITY_IAM'],
    onUnsafeChange,
  };
}

// The five scenarios of `pnpm start`, in order, through the real CLI; each checked from outside.
describe('safe-deploy deploy: the demo scenarios on the sample app', () => {
  let emulator: TestEmulator;
  let dirs: Record<'base' | 'safe-change' | 'replacing-change', string>;

  beforeAll(async () => {
    [emulator, dirs] = await Promise.all([
      startTestEmulator(),
      synthesizeSampleApp(join(tmpdir(), 'safe-deploy-test-cache')),
    ]);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('GIVEN no stack WHEN the base revision is deployed THEN the stack is created (exit 0)', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dirs.base, input());
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      result: 'Succeeded',
      executionStatus: 'SUCCEEDED',
      stackName: STACK,
      stackStatus: 'CREATE_COMPLETE',
    });
    expect(summary.path).toContain('Create Stack');
    expect(summary.path.at(-1)).toBe('Deployment Succeeded');
    expect(await stackStatus(emulator.cfn, STACK)).toBe('CREATE_COMPLETE');
  });

  it('GIVEN the stack WHEN a safe change is deployed THEN the change set is executed and the stack updated', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dirs['safe-change'], input());
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      result: 'Succeeded',
      verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      stackStatus: 'UPDATE_COMPLETE',
    });
    expect(summary.path).toEqual(
      expect.arrayContaining(['Inspect Change Set Changes', 'Execute Change Set', 'Stack Updated']),
    );
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
    // the stack moto holds now has the safe change's template, read back
    const deployed = await emulator.cfn.send(new GetTemplateCommand({ StackName: STACK }));
    expect(JSON.parse(deployed.TemplateBody ?? '{}')).toEqual(
      JSON.parse(readFileSync(join(dirs['safe-change'], 'SampleLambdaApp.template.json'), 'utf8')),
    );
  });

  it('GIVEN the stack WHEN a replacing change is deployed THEN it is refused, the change set deleted and the stack unchanged (exit 1), and the report says why', async () => {
    // Prepare
    const before = await emulator.cfn.send(new GetTemplateCommand({ StackName: STACK }));
    const report = join(emulator.home, 'report.html');
    // Act
    const { code, summary } = await deployJson(emulator, dirs['replacing-change'], input(), [
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
      stackName: STACK,
      stackStatus: 'UPDATE_COMPLETE',
    });
    expect(summary.path).toEqual(expect.arrayContaining(['Delete Change Set', 'Deployment Refused']));
    expect(summary.path).not.toContain('Execute Change Set');
    expect(summary.message).toContain('FunctionName');
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
    const after = await emulator.cfn.send(new GetTemplateCommand({ StackName: STACK }));
    expect(after.TemplateBody).toBe(before.TemplateBody);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<link|<img|<iframe|\ssrc=|url\(http|href="http/);
    expect(html).toContain('RESOURCES-BEING-DELETED-OR-REPLACED');
    expect(html).toMatch(/data-state="Inspect Change Set Changes"/);
    expect(html).toMatch(/<td class="num">\d+ ms<\/td>/);
    expect(html).toContain('FunctionName requires recreation');
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
        expect(cells.slice(0, 6)).toEqual([
          '(root)',
          expect.stringMatching(/^Function\w+$/),
          'AWS::Lambda::Function',
          'Modify',
          'True',
          'ReplaceAndDelete',
        ]);
        expect(cells[6]).toContain('FunctionName requires recreation');
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

  it('GIVEN the stack WHEN the same version is deployed again THEN it is a green no-op and no change set is left', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dirs['safe-change'], input());
    // Assess
    expect(code).toBe(0);
    expect(summary.path).toEqual(expect.arrayContaining(['Delete No-op Change Set', 'No Changes']));
    expect(summary.message).toMatch(/No changes/);
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
  });

  it('GIVEN the stack WHEN the replacing change asks for blue/green THEN a new stack is created and the old one is left as it is', async () => {
    // Prepare
    const before = await emulator.cfn.send(new GetTemplateCommand({ StackName: STACK }));
    // Act
    const { code, summary } = await deployJson(emulator, dirs['replacing-change'], input('blue-green'));
    // Assess
    expect(code).toBe(0);
    expect(summary.stackName).toMatch(/^demo-sample-lambda-app-bg-/);
    expect(summary.stackStatus).toBe('CREATE_COMPLETE');
    expect(await stackStatus(emulator.cfn, summary.stackName)).toBe('CREATE_COMPLETE');
    const after = await emulator.cfn.send(new GetTemplateCommand({ StackName: STACK }));
    expect(after.TemplateBody).toBe(before.TemplateBody);
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
  });
});
