import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  type ExecutionStatus,
  InvalidChangeSetStatusException,
} from '@aws-sdk/client-cloudformation';
import type { Inspection, TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executeChangeSet } from '../src/execute-change-set.js';
import { handler } from '../src/handler.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/0a1b2c3d';
const CHANGE_SET_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-job-1/9f8e7d6c';
const OTHER_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-job-0/11112222';
const NOW = new Date('2026-11-26T10:00:00.000Z');

const safeInspection: Inspection = {
  changeSetArn: CHANGE_SET_ARN,
  verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
  findings: [],
  findingCount: 0,
  allowed: [],
  allowedCount: 0,
  changeCount: 1,
};

const removal = {
  stackPath: [],
  logicalResourceId: 'Orders',
  resourceType: 'AWS::DynamoDB::Table',
  action: 'Remove',
  replacement: null,
  policyAction: 'Delete',
  reason: 'Orders would be deleted',
  rule: 'no-removal',
};

type Overrides = {
  readonly inspection?: Partial<Inspection>;
  readonly changeSetArn?: string | null;
  readonly stackId?: string | null;
  readonly changeSetType?: 'CREATE' | 'UPDATE';
};

function state(overrides: Overrides = {}): TaskInput<'executeChangeSet'> {
  const arn = overrides.changeSetArn === undefined ? CHANGE_SET_ARN : overrides.changeSetArn;
  const stackId = overrides.stackId === undefined ? STACK_ID : overrides.stackId;
  return {
    deploymentId: 'job-1',
    changeSet: {
      changeSetName: 'prod-app-job-1',
      ...(arn === null ? {} : { changeSetArn: arn }),
      stackName: 'prod-app',
      ...(stackId === null ? {} : { stackId }),
      changeSetType: overrides.changeSetType ?? 'UPDATE',
      status: 'CREATE_COMPLETE',
      next: 'inspect',
      poll: { attempt: 2, waitSeconds: 4, waitedSeconds: 2, exhausted: false },
    },
    inspection: { ...safeInspection, ...overrides.inspection },
  };
}

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'us-east-1' });
const deps = { cfn, now: () => NOW, random: () => 0.5 };

describe('executeChangeSet', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('executes the inspected change set by ARN and starts polling the update', async () => {
    // Prepare
    cfnMock.on(ExecuteChangeSetCommand).resolves({});

    // Act
    const result = await executeChangeSet(state(), deps);

    // Assess
    const request = cfnMock.commandCalls(ExecuteChangeSetCommand)[0]?.args[0].input;
    expect(request).toEqual({
      ChangeSetName: CHANGE_SET_ARN,
      ClientRequestToken: expect.stringMatching(/^[a-zA-Z0-9][-a-zA-Z0-9]*$/),
    });
    expect(result).toEqual({
      kind: 'update',
      stackName: 'prod-app',
      stackId: STACK_ID,
      startedAt: NOW.toISOString(),
      outcome: 'in-progress',
      poll: { attempt: 1, waitSeconds: 5, waitedSeconds: 0, exhausted: false },
    });
  });

  it('reports a create operation for a CREATE change set', async () => {
    // Prepare
    cfnMock.on(ExecuteChangeSetCommand).resolves({});

    // Act
    const result = await executeChangeSet(state({ changeSetType: 'CREATE' }), deps);

    // Assess
    expect(result.kind).toBe('create');
  });

  it('finds the stack id through the change set when the state has none', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves({ ChangeSetId: CHANGE_SET_ARN, StackId: STACK_ID });
    cfnMock.on(ExecuteChangeSetCommand).resolves({});

    // Act
    const result = await executeChangeSet(state({ stackId: null }), deps);

    // Assess
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: CHANGE_SET_ARN,
    });
    expect(result.stackId).toBe(STACK_ID);
  });

  it('fails when neither the state nor the change set names the stack id', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves({ ChangeSetId: CHANGE_SET_ARN });

    // Act
    const result = executeChangeSet(state({ stackId: null }), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining('StackId'),
    });
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('refuses, executing nothing, when the inspection found the change unsafe', async () => {
    // Act
    const result = executeChangeSet(
      state({
        inspection: { verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED', findings: [removal], findingCount: 1 },
      }),
      deps,
    );

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'SafetyRefusedError',
      message: expect.stringContaining('RESOURCES-BEING-DELETED-OR-REPLACED'),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('refuses a "safe" verdict that still carries findings (an inconsistent inspection)', async () => {
    // Act
    const result = executeChangeSet(state({ inspection: { findings: [removal], findingCount: 1 } }), deps);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'SafetyRefusedError' });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('refuses when the inspection judged a different change set (a wiring bug)', async () => {
    // Act
    const result = executeChangeSet(state({ inspection: { changeSetArn: OTHER_ARN } }), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'SafetyRefusedError',
      message: expect.stringContaining(OTHER_ARN),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('refuses when the change set has no ARN', async () => {
    // Act
    const result = executeChangeSet(state({ changeSetArn: null }), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'SafetyRefusedError',
      message: expect.stringContaining('no ARN'),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it("fails with CloudFormation's reason when the change set cannot be executed", async () => {
    // Prepare
    const message = `ChangeSet [${CHANGE_SET_ARN}] cannot be executed in its current execution status of [OBSOLETE]`;
    cfnMock
      .on(ExecuteChangeSetCommand)
      .rejects(new InvalidChangeSetStatusException({ message, $metadata: {} }));
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves({ ChangeSetId: CHANGE_SET_ARN, Status: 'CREATE_COMPLETE', ExecutionStatus: 'OBSOLETE' });

    // Act
    const result = executeChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining('current execution status of [OBSOLETE]'),
    });
  });

  it("fails with CloudFormation's reason when the change set cannot even be described afterwards", async () => {
    // Prepare
    cfnMock
      .on(ExecuteChangeSetCommand)
      .rejects(
        new InvalidChangeSetStatusException({ message: 'stack is UPDATE_IN_PROGRESS', $metadata: {} }),
      );
    cfnMock.on(DescribeChangeSetCommand).rejects(awsError('AccessDenied', 'not authorized', 403));

    // Act
    const result = executeChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining('stack is UPDATE_IN_PROGRESS'),
    });
  });

  it.each<ExecutionStatus>(['EXECUTE_IN_PROGRESS', 'EXECUTE_COMPLETE'])(
    'treats a retried invocation that finds its change set %s as started',
    async (executionStatus) => {
      // Prepare
      cfnMock
        .on(ExecuteChangeSetCommand)
        .rejects(new InvalidChangeSetStatusException({ message: 'cannot be executed', $metadata: {} }));
      cfnMock.on(DescribeChangeSetCommand).resolves({
        ChangeSetId: CHANGE_SET_ARN,
        Status: 'CREATE_COMPLETE',
        ExecutionStatus: executionStatus,
      });

      // Act
      const result = await executeChangeSet(state(), deps);

      // Assess
      expect(result).toMatchObject({ kind: 'update', outcome: 'in-progress', stackId: STACK_ID });
    },
  );

  it('asks for a retry when CloudFormation throttles', async () => {
    // Prepare
    cfnMock.on(ExecuteChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    // Act
    const result = executeChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('fails with a CloudFormationError when access is denied', async () => {
    // Prepare
    cfnMock.on(ExecuteChangeSetCommand).rejects(awsError('AccessDenied', 'not authorized', 403));

    // Act
    const result = executeChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining(CHANGE_SET_ARN),
    });
  });
});

describe('handler', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('returns a stack operation that matches the contract', async () => {
    // Prepare
    cfnMock.on(ExecuteChangeSetCommand).resolves({});

    // Act
    const result = await handler(state());

    // Assess
    expect(result).toMatchObject({ kind: 'update', outcome: 'in-progress' });
  });

  it('refuses an event without an inspection as invalid input', async () => {
    // Prepare
    const { inspection: _omitted, ...event } = state();

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('inspection'),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });
});
