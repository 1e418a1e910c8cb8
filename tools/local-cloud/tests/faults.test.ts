import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Faults } from '../src/faults.js';
import { changeSetsLeft, deployJson, stackStatus, startTestEmulator, type TestEmulator } from './helpers.js';

/**
 * Each fault of the faults file, end to end through the built CLI, checked from outside: what the
 * pipeline was told, the executions started for the job, the stack, its template, its change sets.
 */
const template = (visibility: number) => `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: ${visibility}
`;

let emulator: TestEmulator;
let root: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  root = mkdtempSync(join(tmpdir(), 'safe-deploy-faults-'));
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
});

function source(visibility: number): string {
  const dir = join(root, crypto.randomUUID());
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'template.yaml'), template(visibility));
  return dir;
}

function faultsFile(faults: Faults): string {
  const file = join(root, `faults-${crypto.randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(faults));
  return file;
}

async function deploy(stack: string, visibility: number, faults?: Faults) {
  return deployJson(
    emulator,
    source(visibility),
    { environmentName: 'qa', stackName: stack, templatePath: 'template.yaml' },
    faults === undefined ? [] : ['--faults', faultsFile(faults)],
  );
}

async function visibilityOf(stack: string): Promise<string | undefined> {
  const answer = await emulator.cfn.send(new GetTemplateCommand({ StackName: `qa-${stack}` }));
  return /VisibilityTimeout: (\d+)/.exec(answer.TemplateBody ?? '')?.[1];
}

/** A stack created without faults, for the update cases. */
async function existing(): Promise<string> {
  const stack = `f-${crypto.randomUUID().slice(0, 8)}`;
  const created = await deploy(stack, 30);
  expect(created.summary.result).toBe('Succeeded');
  return stack;
}

describe('faults that end in the right outcome through Retry', () => {
  it('throttles 30% of every service call: create and update succeed, one execution each', async () => {
    const stack = `f-${crypto.randomUUID().slice(0, 8)}`;
    const faults: Faults = {
      throttle: { cloudformation: 0.3, s3: 0.3, stepfunctions: 0.3, codepipeline: 0.3 },
      seed: 7,
    };
    const created = await deploy(stack, 30, faults);
    const updated = await deploy(stack, 45, faults);

    expect(created.summary).toMatchObject({ result: 'Succeeded', executions: 1 });
    expect(updated.summary).toMatchObject({ result: 'Succeeded', executions: 1 });
    expect(await visibilityOf(stack)).toBe('45');
    expect(await changeSetsLeft(emulator.cfn, `qa-${stack}`)).toBe(0);
  });

  it.each([
    ['crash', 'execute-change-set'],
    ['hang', 'execute-change-set'],
    ['hang', 'check-stack-existence'],
    ['crash', 'create-change-set'],
  ] as const)('%s once of %s: the retry finishes the update', async (kind, fn) => {
    const stack = await existing();
    const run = await deploy(stack, 60, { [kind]: { [fn]: 'once' } });

    expect(run.summary).toMatchObject({ result: 'Succeeded', executions: 1 });
    expect(await stackStatus(emulator.cfn, `qa-${stack}`)).toBe('UPDATE_COMPLETE');
    expect(await visibilityOf(stack)).toBe('60');
    expect(await changeSetsLeft(emulator.cfn, `qa-${stack}`)).toBe(0);
  });

  it('delivers every Trigger invocation twice: one execution, the stack created once', async () => {
    const stack = `f-${crypto.randomUUID().slice(0, 8)}`;
    const run = await deploy(stack, 30, { duplicateTrigger: true });

    expect(run.summary).toMatchObject({ result: 'Succeeded', executions: 1 });
    expect(await stackStatus(emulator.cfn, `qa-${stack}`)).toBe('CREATE_COMPLETE');
  });

  it('crashes the Trigger once: CodePipeline retries it and the deployment succeeds', async () => {
    const stack = `f-${crypto.randomUUID().slice(0, 8)}`;
    const run = await deploy(stack, 30, { crash: { trigger: 'once' } });

    expect(run.summary).toMatchObject({ result: 'Succeeded', executions: 1 });
  });
});

describe('faults that end in a failed action naming the step and the error', () => {
  it('crashes execute-change-set always: failed naming the step, change set deleted, old template kept', async () => {
    const stack = await existing();
    const run = await deploy(stack, 90, { crash: { 'execute-change-set': 'always' } });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ result: 'Failed', executions: 1 });
    expect(run.summary.message).toContain('Execute Change Set');
    expect(run.summary.message).toContain('Runtime.ExitError');
    expect(await visibilityOf(stack)).toBe('30');
    expect(await changeSetsLeft(emulator.cfn, `qa-${stack}`)).toBe(0);
  });

  it('crashes the Trigger always: the job fails without an execution', async () => {
    const stack = `f-${crypto.randomUUID().slice(0, 8)}`;
    const run = await deploy(stack, 30, { crash: { trigger: 'always' } });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ result: 'Failed', executions: 0 });
    expect(run.summary.message).toContain('Runtime.ExitError');
    expect(await stackStatus(emulator.cfn, `qa-${stack}`)).toBeUndefined();
  });

  it('stops the execution from outside as it starts: the action says it was stopped, nothing is touched', async () => {
    const stack = `f-${crypto.randomUUID().slice(0, 8)}`;
    const run = await deploy(stack, 30, { stopExecutionAfterMs: 0 });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ result: 'Failed', executionStatus: 'ABORTED', executions: 1 });
    expect(run.summary.message).toContain('aborted (stopped)');
    expect(await stackStatus(emulator.cfn, `qa-${stack}`)).toBeUndefined();
  });

  it('stops the execution while its change set is being created: the Trigger deletes the change set it never executed', async () => {
    const stack = await existing();
    const run = await deploy(stack, 45, {
      operationMs: 400,
      stopExecutionAtState: 'Wait Change Set Creation',
    });

    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ result: 'Failed', executionStatus: 'ABORTED', executions: 1 });
    expect(run.summary.message).toContain('aborted (stopped)');
    expect(run.summary.message).toMatch(
      /Its change set \S+ of stack qa-\S+ was never executed and has been deleted\./,
    );
    expect(await changeSetsLeft(emulator.cfn, `qa-${stack}`)).toBe(0);
    expect(await stackStatus(emulator.cfn, `qa-${stack}`)).toBe('CREATE_COMPLETE');
    expect(await visibilityOf(stack)).toBe('30');
  });
});
