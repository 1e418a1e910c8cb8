import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeSampleApp } from '../src/index.js';
import { TEMPLATE_BODY_ELIDED } from '../src/report.js';
import { changeSetsLeft, deployJson, stackStatus, startTestEmulator, type TestEmulator } from './helpers.js';

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
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain('RESOURCES-BEING-DELETED-OR-REPLACED');
    expect(html).toContain('Inspect Change Set Changes');
    expect(html).toMatch(/<td class="num">\d+ ms<\/td>/);
    expect(html).toContain('FunctionName requires recreation');
    expect(html).toContain('&quot;deploymentId&quot;');
    expect(html).not.toContain('testing');
    // the template's text is shown once, in Load Template's output, and elided in the later inputs
    const bodies = [...html.matchAll(/&quot;body&quot;: &quot;(.{0,12})/g)].map((match) => match[1]);
    expect(bodies.filter((start) => !start?.startsWith(TEMPLATE_BODY_ELIDED.slice(0, 12)))).toHaveLength(1);
    expect(bodies.length).toBeGreaterThan(3);
  });

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
