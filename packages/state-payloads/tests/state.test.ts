import { describe, expect, it } from 'vitest';
import { DeployStateSchema, ResultKeys, TaskInputSchemas, TaskResultSchemas } from '../src/index.js';
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
});
