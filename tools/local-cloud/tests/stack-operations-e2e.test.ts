import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudFormationFront, startCloudFormationFront } from '../src/cloudformation-front.js';
import { CLOUDFORMATION_STATE_FILE } from '../src/constants.js';
import type { Clock } from '../src/stack-operations.js';
import { changeSetsLeft, deployJson, stackStatus, startTestEmulator, type TestEmulator } from './helpers.js';

/** Two queues; `visibility` changes the first one in place. */
function template(visibility = 30): string {
  return `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: ${visibility}
  Audit:
    Type: AWS::SQS::Queue
`;
}

function input(stackName: string) {
  return { environmentName: 'qa', stackName, templatePath: 'template.yaml' };
}

function count(path: readonly string[], state: string): number {
  return path.filter((name) => name === state).length;
}

describe('safe-deploy deploy: CloudFormation operations that take time and fail (faults file)', () => {
  let emulator: TestEmulator;
  let root: string;
  let sources = 0;

  function source(body: string): string {
    sources += 1;
    const dir = join(root, `source-${sources}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'template.yaml'), body);
    return dir;
  }

  function faults(value: Record<string, unknown>): string[] {
    const file = join(root, `faults-${crypto.randomUUID()}.json`);
    writeFileSync(file, JSON.stringify(value));
    return ['--faults', file];
  }

  /** The emulator's CloudFormation as the bundles see it (a front over the same moto and state file). */
  async function withFront<T>(
    options: { failResources?: Record<string, 'create' | 'update'>; operationMs?: number; clock?: Clock },
    use: (cfn: CloudFormationClient) => Promise<T>,
  ): Promise<T> {
    const front: CloudFormationFront = await startCloudFormationFront({
      upstream: emulator.endpoint,
      operationMs: 0,
      stateFile: join(emulator.home, CLOUDFORMATION_STATE_FILE),
      ...options,
    });
    try {
      return await use(
        new CloudFormationClient({
          endpoint: front.endpoint,
          region: 'us-east-1',
          credentials: emulator.credentials,
          maxAttempts: 1,
        }),
      );
    } finally {
      await front.close();
    }
  }

  beforeAll(async () => {
    emulator = await startTestEmulator();
    root = mkdtempSync(join(tmpdir(), 'safe-deploy-operations-'));
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('GIVEN a front with a hand-moved clock WHEN a stack is created, changed and deleted THEN each answers the intermediate statuses and busy refusals of AWS', async () => {
    // Arrange
    let time = 5_000_000;
    const clock: Clock = { now: () => time };
    await withFront({ operationMs: 1000, clock }, async (cfn) => {
      const status = async (name: string) =>
        (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0]?.StackStatus;
      // Act / Assess: create
      const { StackId: stackId } = await cfn.send(
        new CreateStackCommand({ StackName: 'clocked', TemplateBody: template() }),
      );
      expect(await status('clocked')).toBe('CREATE_IN_PROGRESS');
      await expect(
        cfn.send(new UpdateStackCommand({ StackName: 'clocked', TemplateBody: template(45) })),
      ).rejects.toThrow(`Stack:${stackId} is in CREATE_IN_PROGRESS state and can not be updated.`);
      time += 1000;
      expect(await status('clocked')).toBe('CREATE_COMPLETE');
      // change set: pending, in progress, then executable
      const { Id: changeSetId } = await cfn.send(
        new CreateChangeSetCommand({
          StackName: 'clocked',
          ChangeSetName: 'c1',
          ChangeSetType: 'UPDATE',
          TemplateBody: template(45),
        }),
      );
      const changeSet = () => cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetId }));
      expect(await changeSet()).toMatchObject({ Status: 'CREATE_PENDING', ExecutionStatus: 'UNAVAILABLE' });
      await expect(cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSetId }))).rejects.toThrow(
        `ChangeSet [${changeSetId}] cannot be executed in its current status of [CREATE_PENDING]`,
      );
      time += 500;
      expect(await changeSet()).toMatchObject({
        Status: 'CREATE_IN_PROGRESS',
        ExecutionStatus: 'UNAVAILABLE',
      });
      time += 500;
      expect(await changeSet()).toMatchObject({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
      // execution
      await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSetId }));
      expect(await changeSet()).toMatchObject({ ExecutionStatus: 'EXECUTE_IN_PROGRESS' });
      expect(await status('clocked')).toBe('UPDATE_IN_PROGRESS');
      time += 800;
      expect(await status('clocked')).toBe('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
      time += 200;
      expect(await status('clocked')).toBe('UPDATE_COMPLETE');
      expect(await changeSet()).toMatchObject({ ExecutionStatus: 'EXECUTE_COMPLETE' });
      // delete: described by id while it runs
      await cfn.send(new DeleteStackCommand({ StackName: 'clocked' }));
      expect(await status(stackId ?? '')).toBe('DELETE_IN_PROGRESS');
      time += 1000;
      expect(await status(stackId ?? '')).toBe('DELETE_COMPLETE');
    });
  });

  // Long enough that no poll, however slow a loaded machine runs a task, can first come after the
  // operation ended (each task's Lambda runs in-process: at most a few hundred ms).
  const OPERATION_MS = 4000;

  it('GIVEN operationMs 4000 WHEN a stack is created and then updated THEN both succeed and the polling loops run more than once', async () => {
    // Act
    const created = await deployJson(
      emulator,
      source(template()),
      input('slow'),
      faults({ operationMs: OPERATION_MS }),
    );
    const updated = await deployJson(
      emulator,
      source(template(60)),
      input('slow'),
      faults({ operationMs: OPERATION_MS }),
    );
    // Assess
    expect(created.code).toBe(0);
    expect(created.summary).toMatchObject({ result: 'Succeeded', stackStatus: 'CREATE_COMPLETE' });
    expect(count(created.summary.path, 'Get Stack Creation Status')).toBeGreaterThan(1);
    expect(updated.code).toBe(0);
    expect(updated.summary).toMatchObject({ result: 'Succeeded', stackStatus: 'UPDATE_COMPLETE' });
    expect(count(updated.summary.path, 'Get Change Set Status')).toBeGreaterThan(1);
    expect(count(updated.summary.path, 'Get Stack Update Status')).toBeGreaterThan(1);
    // the events of the update, newest first, as the bundles' endpoint answers them
    const events = await withFront(
      {},
      async (cfn) =>
        (await cfn.send(new DescribeStackEventsCommand({ StackName: 'qa-slow' }))).StackEvents ?? [],
    );
    const statuses = events.map((event) => `${event.LogicalResourceId} ${event.ResourceStatus}`);
    expect(statuses.slice(0, 5)).toEqual([
      'qa-slow UPDATE_COMPLETE',
      'qa-slow UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'Queue UPDATE_COMPLETE',
      'Queue UPDATE_IN_PROGRESS',
      'qa-slow UPDATE_IN_PROGRESS',
    ]);
    expect(events[0]?.ClientRequestToken).toEqual(expect.any(String));
  });

  it('GIVEN a resource whose create fails WHEN a new stack is deployed THEN the action fails naming the resource and the reason, nothing is left, and the next good deployment creates it', async () => {
    // Act
    const failed = await deployJson(
      emulator,
      source(template()),
      input('broken-create'),
      faults({ failResources: { Audit: 'create' } }),
    );
    // Assess
    expect(failed.code).toBe(1);
    expect(failed.summary.result).toBe('Failed');
    expect(failed.summary.message).toContain('Audit (AWS::SQS::Queue)');
    expect(failed.summary.message).toContain('Injected failure (faults file)');
    // Create Stack asks OnFailure DELETE: the rolled-back stack is deleted
    expect(await stackStatus(emulator.cfn, 'qa-broken-create')).toBeUndefined();
    // Act
    const recovered = await deployJson(emulator, source(template()), input('broken-create'));
    // Assess
    expect(recovered.code).toBe(0);
    expect(recovered.summary).toMatchObject({ result: 'Succeeded', stackStatus: 'CREATE_COMPLETE' });
  });

  it('GIVEN a stack left in ROLLBACK_COMPLETE (its first create failed) WHEN a good template is deployed THEN the stack is deleted and created again', async () => {
    // Arrange: a create without OnFailure rolls back and stays ROLLBACK_COMPLETE, as on AWS
    const status = await withFront({ failResources: { Queue: 'create' } }, async (cfn) => {
      await cfn.send(new CreateStackCommand({ StackName: 'qa-rolled-back', TemplateBody: template() }));
      const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'qa-rolled-back' }))).Stacks?.[0];
      return stack?.StackStatus;
    });
    expect(status).toBe('ROLLBACK_COMPLETE');
    // Act
    const { code, summary } = await deployJson(emulator, source(template()), input('rolled-back'));
    // Assess
    expect(code).toBe(0);
    expect(summary.path).toContain('Get Stack Deletion Status');
    expect(summary).toMatchObject({ result: 'Succeeded', stackStatus: 'CREATE_COMPLETE' });
    expect(await withFront({}, (cfn) => stackStatus(cfn, 'qa-rolled-back'))).toBe('CREATE_COMPLETE');
  });

  it('GIVEN a resource whose update fails WHEN the stack is updated THEN it rolls back to the previous template and the action fails naming the resource and the reason', async () => {
    // Arrange
    const first = await deployJson(emulator, source(template()), input('broken-update'));
    expect(first.code).toBe(0);
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(template(90)),
      input('broken-update'),
      faults({ failResources: { Queue: 'update' } }),
    );
    // Assess
    expect(code).toBe(1);
    expect(summary.result).toBe('Failed');
    expect(summary.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(summary.message).toContain('Queue (AWS::SQS::Queue)');
    expect(summary.message).toContain('Injected failure (faults file)');
    const seen = await withFront({}, async (cfn) => ({
      status: await stackStatus(cfn, 'qa-broken-update'),
      changeSets:
        (await cfn.send(new ListChangeSetsCommand({ StackName: 'qa-broken-update' }))).Summaries ?? [],
    }));
    expect(seen.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(seen.changeSets.map((changeSet) => changeSet.ExecutionStatus)).not.toContain('AVAILABLE');
    expect(seen.changeSets.map((changeSet) => changeSet.ExecutionStatus)).toContain('EXECUTE_FAILED');
    // moto itself holds the previous template, and no change set that could still be executed
    const body = (await emulator.cfn.send(new GetTemplateCommand({ StackName: 'qa-broken-update' })))
      .TemplateBody;
    expect(body).toContain('VisibilityTimeout: 30');
    expect(body).not.toContain('VisibilityTimeout: 90');
    expect(await changeSetsLeft(emulator.cfn, 'qa-broken-update')).toBe(0);
  });
});
