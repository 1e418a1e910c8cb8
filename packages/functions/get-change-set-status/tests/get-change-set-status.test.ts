import {
  ChangeSetNotFoundException,
  type ChangeSetStatus,
  CloudFormationClient,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
  type ExecutionStatus,
} from '@aws-sdk/client-cloudformation';
import type { TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { getChangeSetStatus } from '../src/get-change-set-status.js';
import { handler } from '../src/handler.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/0a1b2c3d';
const CHANGE_SET_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-job-1/9f8e7d6c';
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";
const FIRST_POLL = { attempt: 1, waitSeconds: 2, waitedSeconds: 0, exhausted: false };

function state(changeSetArn: string | null = CHANGE_SET_ARN): TaskInput<'getChangeSetStatus'> {
  return {
    deploymentId: 'job-1',
    changeSet: {
      changeSetName: 'prod-app-job-1',
      ...(changeSetArn === null ? {} : { changeSetArn }),
      stackName: 'prod-app',
      changeSetType: 'UPDATE',
      status: 'CREATE_PENDING',
      next: 'wait',
      reason: 'the change set is CREATE_PENDING',
      poll: FIRST_POLL,
    },
  };
}

function described(fields: Partial<DescribeChangeSetCommandOutput>): DescribeChangeSetCommandOutput {
  return {
    $metadata: {},
    ChangeSetId: CHANGE_SET_ARN,
    ChangeSetName: 'prod-app-job-1',
    StackId: STACK_ID,
    StackName: 'prod-app',
    ...fields,
  };
}

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'us-east-1' });
const deps = { cfn, random: () => 0.5 };

describe('getChangeSetStatus', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('describes the change set by ARN only (names are ambiguous across stacks)', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(described({ Status: 'CREATE_IN_PROGRESS' }));

    // Act
    await getChangeSetStatus(state(), deps);

    // Assess
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: CHANGE_SET_ARN,
    });
  });

  it.each<ChangeSetStatus>(['CREATE_PENDING', 'CREATE_IN_PROGRESS'])(
    'waits longer while the change set is %s',
    async (status) => {
      // Prepare
      cfnMock
        .on(DescribeChangeSetCommand)
        .resolves(described({ Status: status, ExecutionStatus: 'UNAVAILABLE' }));

      // Act
      const result = await getChangeSetStatus(state(), deps);

      // Assess
      expect(result).toMatchObject({ status: status, next: 'wait', stackId: STACK_ID });
      expect(result.poll).toEqual({ attempt: 2, waitSeconds: 4, waitedSeconds: 2, exhausted: false });
    },
  );

  it('marks the loop exhausted once the change-set budget (15 minutes) is spent', async () => {
    // Prepare
    const input = state();
    input.changeSet.poll = { attempt: 60, waitSeconds: 15, waitedSeconds: 890, exhausted: false };
    cfnMock.on(DescribeChangeSetCommand).resolves(described({ Status: 'CREATE_IN_PROGRESS' }));

    // Act
    const result = await getChangeSetStatus(input, deps);

    // Assess
    expect(result.next).toBe('wait');
    expect(result.poll.exhausted).toBe(true);
  });

  it('goes on to inspection when the change set is CREATE_COMPLETE and AVAILABLE', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves(described({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE', Changes: [] }));

    // Act
    const result = await getChangeSetStatus(state(), deps);

    // Assess
    expect(result).toEqual({
      changeSetName: 'prod-app-job-1',
      changeSetArn: CHANGE_SET_ARN,
      stackName: 'prod-app',
      stackId: STACK_ID,
      changeSetType: 'UPDATE',
      status: 'CREATE_COMPLETE',
      next: 'inspect',
      poll: FIRST_POLL,
    });
  });

  it('answers no-changes for a FAILED change set that found nothing to change', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves(described({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', StatusReason: NO_CHANGES }));

    // Act
    const result = await getChangeSetStatus(state(), deps);

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', next: 'no-changes', reason: NO_CHANGES });
  });

  it("fails with CloudFormation's words when a nested change set failed", async () => {
    // Prepare
    const reason =
      'Nested change set arn:aws:cloudformation:us-east-1:123456789012:changeSet/child/1 was not successfully created: Currently in FAILED.';
    cfnMock.on(DescribeChangeSetCommand).resolves(described({ Status: 'FAILED', StatusReason: reason }));

    // Act
    const result = await getChangeSetStatus(state(), deps);

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', next: 'failed', reason });
  });

  it('fails with the template error CloudFormation reported', async () => {
    // Prepare
    const reason = 'Template format error: Unrecognized resource types: [AWS::Nope::Thing]';
    cfnMock.on(DescribeChangeSetCommand).resolves(described({ Status: 'FAILED', StatusReason: reason }));

    // Act
    const result = await getChangeSetStatus(state(), deps);

    // Assess
    expect(result).toMatchObject({ next: 'failed', reason });
  });

  it.each<ExecutionStatus>(['OBSOLETE', 'UNAVAILABLE', 'EXECUTE_COMPLETE'])(
    'fails a CREATE_COMPLETE change set whose ExecutionStatus is %s',
    async (executionStatus) => {
      // Prepare
      cfnMock
        .on(DescribeChangeSetCommand)
        .resolves(described({ Status: 'CREATE_COMPLETE', ExecutionStatus: executionStatus }));

      // Act
      const result = await getChangeSetStatus(state(), deps);

      // Assess
      expect(result.next).toBe('failed');
      expect(result.reason).toContain(executionStatus);
    },
  );

  it('fails when the change set is being deleted', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(described({ Status: 'DELETE_IN_PROGRESS' }));

    // Act
    const result = await getChangeSetStatus(state(), deps);

    // Assess
    expect(result).toMatchObject({ status: 'DELETE_IN_PROGRESS', next: 'failed' });
  });

  it('fails closed when CloudFormation reports no status at all', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(described({}));

    // Act
    const result = await getChangeSetStatus(state(), deps);

    // Assess
    expect(result).toMatchObject({ status: 'UNKNOWN', next: 'failed' });
  });

  it('fails, saying so, when the change set no longer exists', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).rejects(
      new ChangeSetNotFoundException({
        message: `ChangeSet [${CHANGE_SET_ARN}] does not exist`,
        $metadata: {},
      }),
    );

    // Act
    const result = await getChangeSetStatus(state(), deps);

    // Assess
    expect(result).toMatchObject({
      status: 'NOT_FOUND',
      next: 'failed',
      reason: expect.stringContaining('no longer exists'),
    });
  });

  it('asks for a retry when CloudFormation throttles', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    // Act
    const result = getChangeSetStatus(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('fails with a CloudFormationError when access is denied', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).rejects(awsError('AccessDenied', 'not authorized', 403));

    // Act
    const result = getChangeSetStatus(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining(CHANGE_SET_ARN),
    });
  });

  it('refuses as invalid input a change set without an ARN (nothing was created)', async () => {
    // Act
    const result = getChangeSetStatus(state(null), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('changeSetArn'),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });
});

describe('handler', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('returns a result that matches the state contract', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves(described({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' }));

    // Act
    const result = await handler(state());

    // Assess
    expect(result.next).toBe('inspect');
  });

  it('leaves the execution input to the gate (Check Stack Existence): only the change set is validated', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves(described({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' }));
    const event = { ...state(), input: { surprise: true } };

    // Act
    const result = await handler(event);

    // Assess
    expect(result.next).toBe('inspect');
  });

  it('refuses an event whose change set has a field no task writes', async () => {
    // Prepare
    const event = { ...state(), changeSet: { ...state().changeSet, surprise: true } };

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('surprise'),
    });
  });
});
