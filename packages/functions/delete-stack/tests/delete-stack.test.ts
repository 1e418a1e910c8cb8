import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudFormationError, RetryableError, SafetyRefusedError } from '@cfn-safe-deploy/deploy-shared';
import type { TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteStack } from '../src/delete-stack.js';

const cfn = mockClient(CloudFormationClient);
const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/1';
const now = new Date('2026-03-01T12:00:00.000Z');
const deps = {
  cfn: new CloudFormationClient({ region: 'us-east-1' }),
  config: { executionRoleArn: 'arn:aws:iam::123456789012:role/cfn-exec' },
  now: () => now,
  random: () => 0.5,
};

const state: TaskInput<'deleteStack'> = {
  deploymentId: 'job-1',
  stack: {
    stackName: 'prod-app',
    exists: true,
    stackId,
    status: 'ROLLBACK_COMPLETE',
    changeSetType: 'CREATE',
    next: 'recreate',
    reason: 'failed first create',
  },
};

function stackIn(status: string, id = stackId): void {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'prod-app', StackId: id, StackStatus: status as never, CreationTime: now }],
  });
}

beforeEach(() => {
  cfn.reset();
  cfn.on(DeleteStackCommand).resolves({});
});

describe('deleteStack', () => {
  it('deletes a stack still in ROLLBACK_COMPLETE by id, with the role and a token', async () => {
    // Prepare
    stackIn('ROLLBACK_COMPLETE');

    // Act
    const operation = await deleteStack(state, deps);

    // Assess
    expect(operation).toEqual({
      kind: 'delete',
      stackName: 'prod-app',
      stackId,
      startedAt: '2026-03-01T12:00:00.000Z',
      status: 'ROLLBACK_COMPLETE',
      outcome: 'in-progress',
      poll: { attempt: 1, waitSeconds: 5, waitedSeconds: 0, exhausted: false },
    });
    expect(cfn.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: stackId });
    const request = cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input;
    expect(request).toMatchObject({ StackName: stackId, RoleARN: 'arn:aws:iam::123456789012:role/cfn-exec' });
    expect(request?.ClientRequestToken).toMatch(/^delete-prod-app-job-1-[0-9a-f]{12}$/);
  });

  it('sends no RoleARN when none is configured', async () => {
    stackIn('ROLLBACK_COMPLETE');
    await deleteStack(state, { ...deps, config: {} });
    expect(cfn.commandCalls(DeleteStackCommand)[0]?.args[0].input.RoleARN).toBeUndefined();
  });

  it.each([
    'CREATE_COMPLETE',
    'UPDATE_COMPLETE',
    'UPDATE_ROLLBACK_COMPLETE',
    'UPDATE_IN_PROGRESS',
    'ROLLBACK_FAILED',
  ])('refuses to delete a stack that is now in %s', async (status) => {
    // Prepare
    stackIn(status);

    // Act
    const deleting = deleteStack(state, deps);

    // Assess
    await expect(deleting).rejects.toBeInstanceOf(SafetyRefusedError);
    await expect(deleting).rejects.toThrow(`it is in ${status}`);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it('refuses when the existence check did not decide "recreate"', async () => {
    // Act
    const deleting = deleteStack(
      { ...state, stack: { ...state.stack, next: 'update', status: 'UPDATE_COMPLETE' } },
      deps,
    );

    // Assess
    await expect(deleting).rejects.toBeInstanceOf(SafetyRefusedError);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('refuses without the stack id the check found', async () => {
    const { stackId: _, ...withoutId } = state.stack;
    await expect(deleteStack({ ...state, stack: withoutId }, deps)).rejects.toBeInstanceOf(
      SafetyRefusedError,
    );
  });

  it('refuses when the name now belongs to another stack', async () => {
    stackIn('ROLLBACK_COMPLETE', 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/2');
    await expect(deleteStack(state, deps)).rejects.toThrow(/it is now .*prod-app\/2/);
    expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  it.each(['DELETE_IN_PROGRESS', 'DELETE_COMPLETE'])(
    'treats %s as its own delete already under way (a retry)',
    async (status) => {
      stackIn(status);
      const operation = await deleteStack(state, deps);
      expect(operation).toMatchObject({ kind: 'delete', status, outcome: 'in-progress' });
      expect(cfn.commandCalls(DeleteStackCommand)).toHaveLength(0);
    },
  );

  it('succeeds at once when the stack is already gone', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', `Stack with id ${stackId} does not exist`));
    expect(await deleteStack(state, deps)).toMatchObject({ outcome: 'succeeded', status: 'DELETE_COMPLETE' });
  });

  it('maps DescribeStacks errors', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'no', 403));
    await expect(deleteStack(state, deps)).rejects.toBeInstanceOf(CloudFormationError);
  });

  it('maps DeleteStack errors', async () => {
    stackIn('ROLLBACK_COMPLETE');
    cfn.on(DeleteStackCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    const deleting = deleteStack(state, deps);
    await expect(deleting).rejects.toBeInstanceOf(RetryableError);
    await expect(deleting).rejects.toThrow(/DeleteStack on prod-app/);
  });
});
