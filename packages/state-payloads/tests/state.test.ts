import { describe, expect, it } from 'vitest';
import { DeployStateSchema, ResultKeys, TaskInputSchemas, TaskResultSchemas, Tasks } from '../src/index.js';
import { validInput } from './fixtures.js';

const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-sample-lambda-app/1a2b';
const poll = { attempt: 1, waitSeconds: 5, waitedSeconds: 5, exhausted: false };

describe('deploy state', () => {
  it('gives every task a result schema and a result key', () => {
    expect(Object.keys(TaskResultSchemas).sort()).toEqual(Object.keys(TaskInputSchemas).sort());
    expect(Object.keys(ResultKeys).sort()).toEqual(Object.keys(TaskInputSchemas).sort());
    for (const key of Object.values(ResultKeys)) expect(Object.keys(DeployStateSchema.shape)).toContain(key);
  });

  it('accepts the state the first task receives', () => {
    const state = TaskInputSchemas.checkStackExistence.parse({ input: validInput, deploymentId: 'job-1' });

    expect(state.input.onUnsafeChange).toBe('fail');
  });

  it('requires the results a task depends on', () => {
    const result = TaskInputSchemas.executeChangeSet.safeParse({ input: validInput, deploymentId: 'job-1' });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['changeSet', 'inspection']);
  });

  it('round-trips a stack operation result', () => {
    const operation = {
      kind: 'update',
      stackName: 'prod-sample-lambda-app',
      stackId,
      startedAt: '2026-11-26T05:00:00.000Z',
      outcome: 'in-progress',
      poll,
    };

    expect(TaskResultSchemas.getStackStatus.parse(operation)).toEqual(operation);
  });

  it('refuses a result with a field no task writes', () => {
    const result = TaskResultSchemas.deleteChangeSet.safeParse({ deleted: true, extra: 1 });

    expect(result.success).toBe(false);
  });

  it('names every task after its key in the Tasks table', () => {
    for (const [key, task] of Object.entries(Tasks)) expect(task.name).toBe(key);
  });

  it.each(['checkStackExistence', 'inspectChangeSet'] as const)(
    'has %s check the whole execution input strictly, policy included',
    (task) => {
      const state = {
        input: { ...validInput, policy: { version: 2 } },
        deploymentId: 'job-1',
        changeSet: {
          changeSetName: 'cs-1',
          changeSetArn: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs-1/1',
          stackName: 'prod-sample-lambda-app',
          changeSetType: 'UPDATE',
          status: 'CREATE_COMPLETE',
          next: 'inspect',
          poll,
        },
      };

      const result = TaskInputSchemas[task].safeParse(state);

      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['input.policy.version']);
    },
  );

  it('lets the other tasks read the execution input without its policy, or not at all', () => {
    const state = { input: { ...validInput, policy: { version: 2 } }, deploymentId: 'job-1' };
    const stack = {
      stackName: 'prod-sample-lambda-app',
      exists: true,
      stackId,
      changeSetType: 'UPDATE',
      next: 'update',
      reason: 'exists',
    };

    const created = TaskInputSchemas.createChangeSet.parse({ ...state, stack });
    const deleted = TaskInputSchemas.deleteStack.parse({ ...state, stack });

    expect(created.input).not.toHaveProperty('policy');
    expect(created.input.stackName).toBe(validInput.stackName);
    expect(deleted).not.toHaveProperty('input');
  });

  it('still checks the execution input fields a later task reads', () => {
    const result = TaskInputSchemas.createStack.safeParse({
      input: { ...validInput, templatePath: '../outside.yaml' },
      deploymentId: 'job-1',
      stack: {
        stackName: 'prod-sample-lambda-app',
        exists: false,
        changeSetType: 'CREATE',
        next: 'create',
        reason: 'missing',
      },
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['input.templatePath']);
  });
});
