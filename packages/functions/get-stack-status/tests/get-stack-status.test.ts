import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudFormationError, RetryableError } from '@cfn-safe-deploy/deploy-shared';
import type { StackOperation, TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { getStackStatus } from '../src/get-stack-status.js';

const cfn = mockClient(CloudFormationClient);
const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/1';
const deps = { cfn: new CloudFormationClient({ region: 'us-east-1' }), random: () => 0.5 };

const operation: StackOperation = {
  kind: 'create',
  stackName: 'prod-app',
  stackId,
  startedAt: '2026-03-01T12:00:00.000Z',
  outcome: 'in-progress',
  poll: { attempt: 1, waitSeconds: 5, waitedSeconds: 0, exhausted: false },
};

function stateWith(op: StackOperation): TaskInput<'getStackStatus'> {
  return {
    deploymentId: 'job-1',
    operation: op,
  };
}

function stackIn(status: string, reason?: string): void {
  cfn.on(DescribeStacksCommand, { StackName: stackId }).resolves({
    Stacks: [
      {
        StackName: 'prod-app',
        StackId: stackId,
        StackStatus: status as never,
        StackStatusReason: reason,
        CreationTime: new Date('2026-03-01T12:00:00.000Z'),
      },
    ],
  });
}

beforeEach(() => {
  cfn.reset();
});

describe('getStackStatus', () => {
  it('keeps polling while the create is in progress, backing off', async () => {
    // Prepare
    stackIn('CREATE_IN_PROGRESS');

    // Act
    const result = await getStackStatus(stateWith(operation), deps);

    // Assess
    expect(result).toEqual({
      ...operation,
      status: 'CREATE_IN_PROGRESS',
      outcome: 'in-progress',
      poll: { attempt: 2, waitSeconds: 10, waitedSeconds: 5, exhausted: false },
    });
  });

  it('reports exhaustion but leaves the verdict to the state machine', async () => {
    // Prepare
    stackIn('UPDATE_IN_PROGRESS');
    const long = {
      ...operation,
      kind: 'update' as const,
      poll: { attempt: 200, waitSeconds: 60, waitedSeconds: 10_790, exhausted: false },
    };

    // Act
    const result = await getStackStatus(stateWith(long), deps);

    // Assess
    expect(result.outcome).toBe('in-progress');
    expect(result.poll.exhausted).toBe(true);
  });

  it('succeeds on CREATE_COMPLETE, keeping the poll as it was', async () => {
    stackIn('CREATE_COMPLETE');
    const result = await getStackStatus(stateWith(operation), deps);
    expect(result).toEqual({ ...operation, status: 'CREATE_COMPLETE', outcome: 'succeeded' });
  });

  it('fails on ROLLBACK_COMPLETE with the first failed resource as the reason', async () => {
    // Prepare
    stackIn('ROLLBACK_COMPLETE');
    cfn.on(DescribeStackEventsCommand, { StackName: stackId }).resolves({
      StackEvents: [
        {
          StackId: stackId,
          StackName: 'prod-app',
          EventId: '2',
          LogicalResourceId: 'Queue',
          ResourceType: 'AWS::SQS::Queue',
          ResourceStatus: 'CREATE_FAILED',
          ResourceStatusReason: 'Resource creation cancelled',
          Timestamp: new Date('2026-03-01T12:01:00.000Z'),
        },
        {
          StackId: stackId,
          StackName: 'prod-app',
          EventId: '1',
          LogicalResourceId: 'Table',
          ResourceType: 'AWS::DynamoDB::Table',
          ResourceStatus: 'CREATE_FAILED',
          ResourceStatusReason: 'orders already exists',
          Timestamp: new Date('2026-03-01T12:00:30.000Z'),
        },
      ],
    });

    // Act
    const result = await getStackStatus(stateWith(operation), deps);

    // Assess
    expect(result).toMatchObject({
      status: 'ROLLBACK_COMPLETE',
      outcome: 'failed',
      reason: 'Table (AWS::DynamoDB::Table): orders already exists',
    });
  });

  it("falls back to the stack's status reason, then to the status", async () => {
    stackIn('UPDATE_ROLLBACK_COMPLETE', 'Update cancelled');
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    const update = { ...operation, kind: 'update' as const };
    expect((await getStackStatus(stateWith(update), deps)).reason).toBe('Update cancelled');

    cfn.reset();
    stackIn('UPDATE_ROLLBACK_COMPLETE');
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    expect((await getStackStatus(stateWith(update), deps)).reason).toBe(
      'the stack ended in UPDATE_ROLLBACK_COMPLETE',
    );
  });

  it('drops a reason carried over from before', async () => {
    stackIn('CREATE_IN_PROGRESS');
    const result = await getStackStatus(stateWith({ ...operation, reason: 'old' }), deps);
    expect(result).not.toHaveProperty('reason');
  });

  it('counts a created stack deleted by OnFailure DELETE as failed', async () => {
    // Prepare: the stack is gone and so are its events
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', `Stack with id ${stackId} does not exist`));
    cfn
      .on(DescribeStackEventsCommand)
      .rejects(awsError('ValidationError', `Stack with id ${stackId} does not exist`));

    // Act
    const result = await getStackStatus(stateWith(operation), deps);

    // Assess
    expect(result).toMatchObject({
      outcome: 'failed',
      status: 'DELETE_COMPLETE',
      reason: 'the stack ended in DELETE_COMPLETE',
    });
  });

  it('treats a stack that no longer exists as a finished delete', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', `Stack with id ${stackId} does not exist`));
    const result = await getStackStatus(stateWith({ ...operation, kind: 'delete' }), deps);
    expect(result).toMatchObject({ kind: 'delete', outcome: 'succeeded', status: 'DELETE_COMPLETE' });
  });

  it.each([
    ['delete', 'DELETE_COMPLETE', 'succeeded'],
    ['delete', 'DELETE_FAILED', 'failed'],
    ['update', 'UPDATE_COMPLETE', 'succeeded'],
    ['update', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
  ] as const)('%s in %s → %s', async (kind, status, outcome) => {
    stackIn(status);
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    expect((await getStackStatus(stateWith({ ...operation, kind }), deps)).outcome).toBe(outcome);
  });

  it.each([
    ['throttling', awsError('Throttling', 'Rate exceeded'), RetryableError],
    ['access denied', awsError('AccessDenied', 'no', 403), CloudFormationError],
  ])('maps %s from DescribeStacks', async (_, error, type) => {
    cfn.on(DescribeStacksCommand).rejects(error);
    await expect(getStackStatus(stateWith(operation), deps)).rejects.toBeInstanceOf(type);
  });

  it('maps errors reading the events of a failed stack', async () => {
    stackIn('ROLLBACK_COMPLETE');
    cfn.on(DescribeStackEventsCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(getStackStatus(stateWith(operation), deps)).rejects.toBeInstanceOf(RetryableError);
  });
});
