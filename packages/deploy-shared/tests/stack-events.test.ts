import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudFormationError, RetryableError } from '../src/errors.js';
import { firstFailureReason } from '../src/stack-events.js';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'us-east-1' });
const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/1';
const since = new Date('2026-01-01T10:00:00Z');

function at(minute: number): Date {
  return new Date(Date.UTC(2026, 0, 1, 10, minute));
}

function resource(logicalId: string, status: string, minute: number, reason?: string): StackEvent {
  return {
    StackId: stackId,
    StackName: 'prod-app',
    EventId: `${logicalId}-${minute}`,
    LogicalResourceId: logicalId,
    PhysicalResourceId: `${logicalId}-physical`,
    ResourceType: logicalId === 'Table' ? 'AWS::DynamoDB::Table' : 'AWS::SQS::Queue',
    ResourceStatus: status as StackEvent['ResourceStatus'],
    ResourceStatusReason: reason,
    Timestamp: at(minute),
  };
}

function stack(status: string, minute: number, reason?: string): StackEvent {
  return {
    StackId: stackId,
    StackName: 'prod-app',
    EventId: `stack-${minute}`,
    LogicalResourceId: 'prod-app',
    PhysicalResourceId: stackId,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: status as StackEvent['ResourceStatus'],
    ResourceStatusReason: reason,
    Timestamp: at(minute),
  };
}

beforeEach(() => {
  cfn.reset();
});

describe('firstFailureReason', () => {
  it('returns the earliest failed resource, skipping cancellation noise, across pages', async () => {
    // Prepare: newest first, as CloudFormation returns them
    cfn
      .on(DescribeStackEventsCommand, { StackName: stackId })
      .resolvesOnce({
        StackEvents: [
          stack('ROLLBACK_COMPLETE', 9),
          resource('Queue', 'CREATE_FAILED', 6, 'Resource creation cancelled'),
          stack('ROLLBACK_IN_PROGRESS', 5, 'The following resource(s) failed to create: [Table, Queue].'),
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        StackEvents: [
          resource('Table', 'CREATE_FAILED', 4, 'Table name already exists'),
          resource('Table', 'CREATE_IN_PROGRESS', 2),
          stack('CREATE_IN_PROGRESS', 1, 'User Initiated'),
          resource('Old', 'UPDATE_FAILED', -1, 'from an earlier operation'),
        ],
        NextToken: 'page-3',
      });

    // Act
    const reason = await firstFailureReason(client, stackId, since);

    // Assess
    expect(reason).toBe('Table (AWS::DynamoDB::Table): Table name already exists');
    const calls = cfn.commandCalls(DescribeStackEventsCommand);
    expect(calls.map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
  });

  it("falls back to the stack's own reason when no resource failed", async () => {
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [
        stack('ROLLBACK_COMPLETE', 3),
        stack('ROLLBACK_IN_PROGRESS', 2, 'Parameter validation failed: Size must be a number'),
        stack('CREATE_IN_PROGRESS', 1, 'User Initiated'),
      ],
    });
    expect(await firstFailureReason(client, stackId, since)).toBe(
      'Parameter validation failed: Size must be a number',
    );
  });

  it('uses a cancellation when that is all there is', async () => {
    cfn.on(DescribeStackEventsCommand).resolves({
      StackEvents: [resource('Queue', 'CREATE_FAILED', 3, 'Resource creation cancelled')],
    });
    expect(await firstFailureReason(client, stackId, since)).toBe(
      'Queue (AWS::SQS::Queue): Resource creation cancelled',
    );
  });

  it('returns undefined when nothing failed since the operation started', async () => {
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [resource('Queue', 'CREATE_COMPLETE', 3)] });
    expect(await firstFailureReason(client, stackId, since)).toBeUndefined();
  });

  it('stops on an empty page', async () => {
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [], NextToken: 'more' });
    expect(await firstFailureReason(client, stackId, since)).toBeUndefined();
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(1);
  });

  it('stops after a bounded number of pages', async () => {
    cfn
      .on(DescribeStackEventsCommand)
      .resolves({ StackEvents: [resource('Q', 'CREATE_COMPLETE', 30)], NextToken: 'more' });
    await firstFailureReason(client, stackId, since);
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(20);
  });

  it('maps SDK errors', async () => {
    cfn.on(DescribeStackEventsCommand).rejectsOnce(awsError('Throttling', 'Rate exceeded'));
    await expect(firstFailureReason(client, stackId, since)).rejects.toThrow(RetryableError);
    cfn.on(DescribeStackEventsCommand).rejects(awsError('AccessDenied', 'no', 403));
    await expect(firstFailureReason(client, stackId, since)).rejects.toThrow(CloudFormationError);
  });
});
