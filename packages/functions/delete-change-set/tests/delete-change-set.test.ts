import {
  ChangeSetNotFoundException,
  CloudFormationClient,
  DeleteChangeSetCommand,
  InvalidChangeSetStatusException,
} from '@aws-sdk/client-cloudformation';
import type { TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteChangeSet } from '../src/delete-change-set.js';
import { handler } from '../src/handler.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/0a1b2c3d';
const CHANGE_SET_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-job-1/9f8e7d6c';

function state(changeSetArn: string | null = CHANGE_SET_ARN): TaskInput<'deleteChangeSet'> {
  return {
    deploymentId: 'job-1',
    changeSet: {
      changeSetName: 'prod-app-job-1',
      ...(changeSetArn === null ? {} : { changeSetArn }),
      stackName: 'prod-app',
      stackId: STACK_ID,
      changeSetType: 'UPDATE',
      status: changeSetArn === null ? 'NOT_CREATED' : 'FAILED',
      next: 'no-changes',
      poll: { attempt: 1, waitSeconds: 2, waitedSeconds: 0, exhausted: false },
    },
  };
}

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'us-east-1' });

describe('deleteChangeSet', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('deletes the change set by its ARN', async () => {
    // Prepare
    cfnMock.on(DeleteChangeSetCommand).resolves({});

    // Act
    const result = await deleteChangeSet(state(), { cfn });

    // Assess
    expect(result).toEqual({ changeSetArn: CHANGE_SET_ARN, deleted: true });
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: CHANGE_SET_ARN,
    });
  });

  it('deletes nothing when no change set was created (CreateChangeSet said "no updates")', async () => {
    // Act
    const result = await deleteChangeSet(state(null), { cfn });

    // Assess
    expect(result).toEqual({ deleted: false });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('reports deleted: false when the change set is already gone', async () => {
    // Prepare
    cfnMock.on(DeleteChangeSetCommand).rejects(
      new ChangeSetNotFoundException({
        message: `ChangeSet [${CHANGE_SET_ARN}] does not exist`,
        $metadata: {},
      }),
    );

    // Act
    const result = await deleteChangeSet(state(), { cfn });

    // Assess
    expect(result).toEqual({ changeSetArn: CHANGE_SET_ARN, deleted: false });
  });

  it('reports deleted: false when the whole stack is gone', async () => {
    // Prepare
    cfnMock
      .on(DeleteChangeSetCommand)
      .rejects(awsError('ValidationError', `Stack with id ${STACK_ID} does not exist`));

    // Act
    const result = await deleteChangeSet(state(), { cfn });

    // Assess
    expect(result).toEqual({ changeSetArn: CHANGE_SET_ARN, deleted: false });
  });

  it('asks for a retry when CloudFormation throttles', async () => {
    // Prepare
    cfnMock.on(DeleteChangeSetCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const result = deleteChangeSet(state(), { cfn });

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('fails with a CloudFormationError naming the change set when its status forbids deletion', async () => {
    // Prepare
    cfnMock.on(DeleteChangeSetCommand).rejects(
      new InvalidChangeSetStatusException({
        message: 'Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS',
        $metadata: {},
      }),
    );

    // Act
    const result = deleteChangeSet(state(), { cfn });

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining(CHANGE_SET_ARN),
    });
  });

  it('fails with a CloudFormationError when access is denied', async () => {
    // Prepare
    cfnMock
      .on(DeleteChangeSetCommand)
      .rejects(awsError('AccessDenied', 'not authorized to perform: cloudformation:DeleteChangeSet', 403));

    // Act
    const result = deleteChangeSet(state(), { cfn });

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'CloudFormationError' });
  });
});

describe('handler', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('validates the event and returns the deletion', async () => {
    // Prepare
    cfnMock.on(DeleteChangeSetCommand).resolves({});

    // Act
    const result = await handler(state());

    // Assess
    expect(result).toEqual({ changeSetArn: CHANGE_SET_ARN, deleted: true });
  });

  it('refuses an event without the change set as invalid input', async () => {
    // Prepare
    const { changeSet: _omitted, ...event } = state();

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('changeSet'),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });
});
