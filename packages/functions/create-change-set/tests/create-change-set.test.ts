import {
  AlreadyExistsException,
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  InsufficientCapabilitiesException,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import type { DeployConfig } from '@cfn-safe-deploy/deploy-shared';
import { changeSetNameFor, type TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createChangeSet,
  DESCRIPTION_PREFIX,
  NOT_CREATED,
  SWEEP_MIN_AGE_MS,
} from '../src/create-change-set.js';
import { handler } from '../src/handler.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/0a1b2c3d';
const CHANGE_SET_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-job-1/9f8e7d6c';
const TEMPLATE = JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });

function state(changeSetType: 'CREATE' | 'UPDATE' = 'UPDATE'): TaskInput<'createChangeSet'> {
  return {
    input: {
      environmentName: 'prod',
      stackName: 'app',
      templatePath: 'cdk.out/App.template.json',
      revisionS3Bucket: 'artifacts',
      revisionS3Key: 'source.zip',
      parameters: { Stage: 'prod' },
      capabilities: ['CAPABILITY_IAM'],
      tags: { team: 'payments' },
      onUnsafeChange: 'fail',
    },
    deploymentId: 'job-1',
    template: { body: TEMPLATE, bytes: TEMPLATE.length },
    stack: {
      stackName: 'prod-app',
      exists: true,
      stackId: STACK_ID,
      status: changeSetType === 'CREATE' ? 'REVIEW_IN_PROGRESS' : 'UPDATE_COMPLETE',
      changeSetType,
      next: 'update',
      reason: 'the stack can be updated',
    },
  };
}

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'us-east-1' });
const config: DeployConfig = { maxArchiveBytes: 1024 * 1024 };
const deps = { cfn, config, random: () => 0.5 };

describe('createChangeSet', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('creates an UPDATE change set named for the deployment, with the template inline', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });

    // Act
    const result = await createChangeSet(state(), deps);

    // Assess
    const request = cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(request).toEqual({
      StackName: 'prod-app',
      ChangeSetName: changeSetNameFor('prod-app', 'job-1'),
      ChangeSetType: 'UPDATE',
      TemplateBody: TEMPLATE,
      Parameters: [{ ParameterKey: 'Stage', ParameterValue: 'prod' }],
      Capabilities: ['CAPABILITY_IAM'],
      // Only the input's tags: a tag that changed per deployment would modify every resource.
      Tags: [{ Key: 'team', Value: 'payments' }],
      IncludeNestedStacks: true,
      ClientToken: expect.stringMatching(/^[a-zA-Z0-9][-a-zA-Z0-9]*$/),
      Description: expect.stringContaining('job-1'),
    });
    expect(result).toEqual({
      changeSetName: changeSetNameFor('prod-app', 'job-1'),
      changeSetArn: CHANGE_SET_ARN,
      stackName: 'prod-app',
      stackId: STACK_ID,
      changeSetType: 'UPDATE',
      status: 'CREATE_PENDING',
      next: 'wait',
      poll: { attempt: 1, waitSeconds: 2, waitedSeconds: 0, exhausted: false },
    });
  });

  it('passes the same ClientToken on every retry of one deployment', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });

    // Act
    await createChangeSet(state(), deps);
    await createChangeSet(state(), deps);

    // Assess
    const [first, second] = cfnMock
      .commandCalls(CreateChangeSetCommand)
      .map((call) => call.args[0].input.ClientToken);
    expect(first).toBeDefined();
    expect(second).toBe(first);
  });

  it('creates a CREATE change set that deletes the stack if its creation fails (stack in REVIEW_IN_PROGRESS)', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });

    // Act
    const result = await createChangeSet(state('CREATE'), deps);

    // Assess
    const request = cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(request).toMatchObject({ ChangeSetType: 'CREATE', OnStackFailure: 'DELETE' });
    expect(result).toMatchObject({ changeSetType: 'CREATE', next: 'wait' });
  });

  it('passes the execution role when one is configured', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });
    const roleArn = 'arn:aws:iam::123456789012:role/cfn-exec';

    // Act
    await createChangeSet(state(), { ...deps, config: { ...config, executionRoleArn: roleArn } });

    // Assess
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.RoleARN).toBe(roleArn);
  });

  it('passes a template staged in S3 as its URL', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });
    const url = 'https://staging-bucket.s3.us-east-1.amazonaws.com/templates/prod-app/job-1.template';

    // Act
    await createChangeSet({ ...state(), template: { url, bytes: 60_123 } }, deps);

    // Assess
    const request = cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(request?.TemplateBody).toBeUndefined();
    expect(request?.TemplateURL).toBe(url);
  });

  it('answers no-changes, with no change set, when CreateChangeSet says there is nothing to update', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejects(awsError('ValidationError', 'No updates are to be performed.'));

    // Act
    const result = await createChangeSet(state(), deps);

    // Assess
    expect(result).toMatchObject({
      status: NOT_CREATED,
      next: 'no-changes',
      reason: 'No updates are to be performed.',
    });
    expect(result.changeSetArn).toBeUndefined();
  });

  it('recovers the ARN of its own change set when a retried invocation finds it already created', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejects(
        new AlreadyExistsException({ message: 'ChangeSet prod-app-job-1 already exists', $metadata: {} }),
      );
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves({ ChangeSetId: CHANGE_SET_ARN, StackId: STACK_ID, Status: 'CREATE_COMPLETE' });

    // Act
    const result = await createChangeSet(state(), deps);

    // Assess
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: changeSetNameFor('prod-app', 'job-1'),
      StackName: 'prod-app',
    });
    expect(result).toMatchObject({ changeSetArn: CHANGE_SET_ARN, status: 'CREATE_COMPLETE', next: 'wait' });
  });

  it('asks for a retry when recovering the existing change set is throttled', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    cfnMock.on(DescribeChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    // Act
    const result = createChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('fails when the existing change set cannot be identified', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));
    cfnMock.on(DescribeChangeSetCommand).resolves({});

    // Act
    const result = createChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining('no ChangeSetId'),
    });
  });

  it('fails when CreateChangeSet returns no Id', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({});

    // Act
    const result = createChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining('no change set Id'),
    });
  });

  it('asks for a retry when CloudFormation throttles', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    // Act
    const result = createChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('fails with a CloudFormationError naming the change set and stack for other errors', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).rejects(
      new InsufficientCapabilitiesException({
        message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]',
        $metadata: {},
      }),
    );

    // Act
    const result = createChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringMatching(/CreateChangeSet.*prod-app.*CAPABILITY_NAMED_IAM/),
    });
  });

  it('fails with a CloudFormationError for a ValidationError that is not "no updates"', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejects(awsError('ValidationError', 'Template format error: YAML not well-formed'));

    // Act
    const result = createChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'CloudFormationError' });
  });
});

describe("createChangeSet at the stack's limit of change sets", () => {
  const now = new Date('2026-11-26T12:00:00.000Z');
  const old = new Date(now.getTime() - SWEEP_MIN_AGE_MS - 1000);
  const recent = new Date(now.getTime() - 10 * 60 * 1000);
  const limit = () => awsError('LimitExceededException', 'ChangeSet limit exceeded for stack prod-app', 400);
  const arn = (name: string) => `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${name}/1`;
  const summary = (name: string, fields: Record<string, unknown>) => ({
    ChangeSetId: arn(name),
    ChangeSetName: name,
    StackName: 'prod-app',
    Status: 'FAILED' as const,
    Description: `${DESCRIPTION_PREFIX}job-${name}`,
    CreationTime: old,
    ...fields,
  });

  beforeEach(() => {
    cfnMock.reset();
    cfnMock.on(DeleteChangeSetCommand).resolves({});
  });

  it('deletes the old failed change sets of earlier deployments, every page of them, then creates its own', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejectsOnce(limit())
      .resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });
    cfnMock
      .on(ListChangeSetsCommand, { StackName: 'prod-app', NextToken: undefined })
      .resolves({
        Summaries: [
          summary('old-failed', {}),
          summary('recent-failed', { CreationTime: recent }),
          summary('not-ours', { Description: 'made by hand' }),
          summary('ready', { Status: 'CREATE_COMPLETE' }),
        ],
        NextToken: 'page-2',
      })
      .on(ListChangeSetsCommand, { StackName: 'prod-app', NextToken: 'page-2' })
      .resolves({ Summaries: [summary('old-failed-2', {})] });

    // Act
    const result = await createChangeSet(state(), { ...deps, now: () => now });

    // Assess
    expect(result).toMatchObject({ changeSetArn: CHANGE_SET_ARN, next: 'wait' });
    expect(cfnMock.commandCalls(DeleteChangeSetCommand).map((call) => call.args[0].input)).toEqual([
      { ChangeSetName: arn('old-failed') },
      { ChangeSetName: arn('old-failed-2') },
    ]);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(2);
  });

  it('fails with what to do, creating nothing more, when nothing of ours is left to delete', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).rejects(limit());
    cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [summary('recent', { CreationTime: recent })] });

    // Act
    const result = createChangeSet(state(), { ...deps, now: () => now });

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'CloudFormationError' });
    await expect(result).rejects.toThrow(
      /ChangeSet limit exceeded for stack prod-app; no failed change set of cfn-safe-deploy older than 60 minutes was left to delete: .*list-change-sets --stack-name prod-app/,
    );
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(0);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(1);
  });

  it('sweeps once: a second limit error fails the task, saying how many were deleted', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).rejects(limit());
    cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [summary('old', {})] });

    // Act
    const result = createChangeSet(state(), { ...deps, now: () => now });

    // Assess
    await expect(result).rejects.toThrow(/still, after deleting 1 failed change set/);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(2);
    expect(cfnMock.commandCalls(ListChangeSetsCommand)).toHaveLength(1);
  });

  it('goes on when a change set to sweep is already gone', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejectsOnce(limit())
      .resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });
    cfnMock.on(ListChangeSetsCommand).resolves({ Summaries: [summary('gone', {}), summary('old', {})] });
    cfnMock
      .on(DeleteChangeSetCommand, { ChangeSetName: arn('gone') })
      .rejects(awsError('ChangeSetNotFoundException', 'ChangeSet gone does not exist', 404));

    // Act
    const result = await createChangeSet(state(), { ...deps, now: () => now });

    // Assess
    expect(result.changeSetArn).toBe(CHANGE_SET_ARN);
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(2);
  });

  it('does not sweep for a limit that is not about change sets', async () => {
    // Prepare
    cfnMock
      .on(CreateChangeSetCommand)
      .rejects(awsError('LimitExceededException', 'Limit on the number of stacks exceeded', 400));

    // Act / Assess
    await expect(createChangeSet(state(), deps)).rejects.toMatchObject({ name: 'CloudFormationError' });
    expect(cfnMock.commandCalls(ListChangeSetsCommand)).toHaveLength(0);
  });

  it('asks for a retry when listing the change sets is throttled', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).rejects(limit());
    cfnMock.on(ListChangeSetsCommand).rejects(awsError('Throttling', 'Rate exceeded', 400));

    // Act / Assess
    await expect(createChangeSet(state(), { ...deps, now: () => now })).rejects.toMatchObject({
      name: 'RetryableError',
    });
  });
});

describe('handler', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('returns a change set state that matches the contract', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });

    // Act
    const result = await handler(state());

    // Assess
    expect(result).toMatchObject({ changeSetArn: CHANGE_SET_ARN, next: 'wait' });
  });

  it('refuses an event without the template', async () => {
    // Prepare
    const { template: _omitted, ...event } = state();

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('template'),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });

  it('refuses an event without the stack check', async () => {
    // Prepare
    const { stack: _omitted, ...event } = state();

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('stack'),
    });
    expect(cfnMock.calls()).toHaveLength(0);
  });
});
