import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFormationError, RetryableError } from '@cfn-safe-deploy/deploy-shared';
import type { StackCheck, TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkStackExistence } from '../src/check-stack-existence.js';

const cfn = mockClient(CloudFormationClient);
const deps = { cfn: new CloudFormationClient({ region: 'us-east-1' }), random: () => 0.5 };
const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/1';

const state: TaskInput<'checkStackExistence'> = {
  input: {
    environmentName: 'prod',
    stackName: 'app',
    templatePath: 'template.yaml',
    revisionS3Bucket: 'artifacts',
    revisionS3Key: 'source.zip',
    onUnsafeChange: 'fail',
  },
  deploymentId: 'job-1',
};

function stackIn(status: string): void {
  cfn.on(DescribeStacksCommand, { StackName: 'prod-app' }).resolves({
    Stacks: [
      { StackName: 'prod-app', StackId: stackId, StackStatus: status as never, CreationTime: new Date() },
    ],
  });
}

beforeEach(() => {
  cfn.reset();
});

describe('checkStackExistence', () => {
  it('says "create" only for the "does not exist" ValidationError', async () => {
    // Prepare
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id prod-app does not exist'));

    // Act
    const check = await checkStackExistence(state, deps);

    // Assess
    expect(check).toEqual({
      stackName: 'prod-app',
      exists: false,
      changeSetType: 'CREATE',
      next: 'create',
      reason: 'stack prod-app does not exist: it will be created',
    });
  });

  it.each([
    ['throttling', awsError('Throttling', 'Rate exceeded'), RetryableError],
    ['a server error', awsError('InternalFailure', 'boom', 500), RetryableError],
    [
      'access denied',
      awsError('AccessDenied', 'not authorized to perform cloudformation:DescribeStacks', 403),
      CloudFormationError,
    ],
    [
      'another ValidationError',
      awsError('ValidationError', '1 validation error detected'),
      CloudFormationError,
    ],
  ])('never says "create" on %s: it throws', async (_, error, type) => {
    // Prepare
    cfn.on(DescribeStacksCommand).rejects(error);

    // Act
    const checking = checkStackExistence(state, deps);

    // Assess
    await expect(checking).rejects.toBeInstanceOf(type);
    await expect(checking).rejects.toThrow(/DescribeStacks on prod-app/);
  });

  it('updates a stack in UPDATE_COMPLETE with an UPDATE change set', async () => {
    // Prepare
    stackIn('UPDATE_COMPLETE');

    // Act
    const check = await checkStackExistence(state, deps);

    // Assess
    expect(check).toMatchObject({
      stackName: 'prod-app',
      exists: true,
      stackId,
      status: 'UPDATE_COMPLETE',
      changeSetType: 'UPDATE',
      next: 'update',
    });
    expect(check.poll).toBeUndefined();
  });

  it('uses a CREATE change set for a stack in REVIEW_IN_PROGRESS', async () => {
    stackIn('REVIEW_IN_PROGRESS');
    expect(await checkStackExistence(state, deps)).toMatchObject({
      exists: true,
      next: 'update',
      changeSetType: 'CREATE',
    });
  });

  it('recreates a stack in ROLLBACK_COMPLETE', async () => {
    stackIn('ROLLBACK_COMPLETE');
    expect(await checkStackExistence(state, deps)).toMatchObject({ exists: true, next: 'recreate', stackId });
  });

  it('refuses a stack in UPDATE_ROLLBACK_FAILED with what to do', async () => {
    stackIn('UPDATE_ROLLBACK_FAILED');
    const check = await checkStackExistence(state, deps);
    expect(check.next).toBe('refuse');
    expect(check.reason).toContain('ContinueUpdateRollback');
  });

  it('treats a DELETE_COMPLETE answer as missing', async () => {
    stackIn('DELETE_COMPLETE');
    expect(await checkStackExistence(state, deps)).toMatchObject({ exists: false, next: 'create' });
  });

  it('fails when DescribeStacks answers without a stack', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });
    await expect(checkStackExistence(state, deps)).rejects.toThrow(CloudFormationError);
  });

  it('starts a busy-stack poll for a stack in *_IN_PROGRESS', async () => {
    // Prepare
    stackIn('UPDATE_IN_PROGRESS');

    // Act
    const check = await checkStackExistence(state, deps);

    // Assess
    expect(check).toMatchObject({ next: 'wait', status: 'UPDATE_IN_PROGRESS' });
    expect(check.poll).toEqual({ attempt: 1, waitSeconds: 15, waitedSeconds: 0, exhausted: false });
  });

  it('continues the poll of the previous check while the stack stays busy', async () => {
    // Prepare
    stackIn('UPDATE_IN_PROGRESS');
    const previous: StackCheck = {
      stackName: 'prod-app',
      exists: true,
      stackId,
      status: 'UPDATE_IN_PROGRESS',
      changeSetType: 'UPDATE',
      next: 'wait',
      reason: 'busy',
      poll: { attempt: 2, waitSeconds: 30, waitedSeconds: 15, exhausted: false },
    };

    // Act
    const check = await checkStackExistence({ ...state, stack: previous }, deps);

    // Assess
    expect(check.poll).toEqual({ attempt: 3, waitSeconds: 60, waitedSeconds: 45, exhausted: false });
  });

  it('reports exhaustion when the stack stays busy past the budget', async () => {
    // Prepare
    stackIn('DELETE_IN_PROGRESS');
    const previous: StackCheck = {
      stackName: 'prod-app',
      exists: true,
      changeSetType: 'UPDATE',
      next: 'wait',
      reason: 'busy',
      poll: { attempt: 30, waitSeconds: 60, waitedSeconds: 1750, exhausted: false },
    };

    // Act
    const check = await checkStackExistence({ ...state, stack: previous }, deps);

    // Assess
    expect(check.poll?.exhausted).toBe(true);
    expect(check.reason).toContain('still busy after 1810 s');
  });

  it('starts a new poll when the previous check did not wait', async () => {
    // Prepare
    stackIn('UPDATE_IN_PROGRESS');
    const previous: StackCheck = {
      stackName: 'prod-app',
      exists: true,
      changeSetType: 'UPDATE',
      next: 'update',
      reason: 'ok',
      poll: { attempt: 9, waitSeconds: 60, waitedSeconds: 500, exhausted: false },
    };

    // Act
    const check = await checkStackExistence({ ...state, stack: previous }, deps);

    // Assess
    expect(check.poll?.attempt).toBe(1);
  });
});

describe('handler (the gate: it checks the whole execution input)', () => {
  it('answers for a valid state', async () => {
    // Prepare
    const { handler } = await import('../src/handler.js');
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id prod-app does not exist'));

    // Act
    const result = await handler(state);

    // Assess
    expect(result).toMatchObject({ stackName: 'prod-app', exists: false, next: 'create' });
  });

  it.each([
    ['an unknown input field', { surprise: true }, 'surprise'],
    ['a policy that is not one', { policy: { version: 2 } }, 'policy'],
  ])('refuses %s before touching any stack', async (_case, extra, named) => {
    // Prepare
    const { handler } = await import('../src/handler.js');
    const event = { ...state, input: { ...state.input, ...extra } };

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining(named),
    });
    expect(cfn.calls()).toHaveLength(0);
  });
});
