import { Readable } from 'node:stream';
import {
  AlreadyExistsException,
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  InsufficientCapabilitiesException,
} from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DeployConfig } from '@cfn-safe-deploy/deploy-shared';
import { changeSetNameFor, type TaskInput } from '@cfn-safe-deploy/state-payloads';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { strToU8, zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { createChangeSet, NOT_CREATED } from '../src/create-change-set.js';
import { handler } from '../src/handler.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/0a1b2c3d';
const CHANGE_SET_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-job-1/9f8e7d6c';
const TEMPLATE = JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

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

function artifact(files: Record<string, string>) {
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
  return { Body: sdkStreamMixin(Readable.from([zip])), ContentLength: zip.byteLength };
}

const cfnMock = mockClient(CloudFormationClient);
const s3Mock = mockClient(S3Client);
const cfn = new CloudFormationClient({ region: 'us-east-1' });
const s3 = new S3Client({ region: 'us-east-1' });
const config: DeployConfig = { maxArchiveBytes: 1024 * 1024 };
const deps = { cfn, s3, config, random: () => 0.5 };

describe('createChangeSet', () => {
  beforeEach(() => {
    cfnMock.reset();
    s3Mock.reset();
    s3Mock.on(GetObjectCommand).callsFake(() => artifact({ 'cdk.out/App.template.json': TEMPLATE }));
  });

  it('creates an UPDATE change set named for the deployment, with the template inline', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });

    // Act
    const result = await createChangeSet(state(), deps);

    // Assess
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'artifacts',
      Key: 'source.zip',
    });
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

  it('stages a template over 51,200 bytes in the template bucket and passes its URL', async () => {
    // Prepare
    const big = JSON.stringify({
      Description: 'x'.repeat(60_000),
      Resources: { Queue: { Type: 'AWS::SQS::Queue' } },
    });
    s3Mock.on(GetObjectCommand).callsFake(() => artifact({ 'cdk.out/App.template.json': big }));
    s3Mock.on(PutObjectCommand).resolves({});
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });

    // Act
    await createChangeSet(state(), { ...deps, config: { ...config, templateBucket: 'staging-bucket' } });

    // Assess
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'staging-bucket',
      Key: 'templates/prod-app/job-1.template',
    });
    const request = cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input;
    expect(request?.TemplateBody).toBeUndefined();
    expect(request?.TemplateURL).toBe(
      'https://staging-bucket.s3.us-east-1.amazonaws.com/templates/prod-app/job-1.template',
    );
  });

  it('names the staging key after the stack and the deployment', () => {
    // Act
    const key = 'templates/prod-app/job-1.template';

    // Assess
    expect(key).toBe('templates/prod-app/job-1.template');
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

  it('fails with an ArtifactError, creating nothing, when the template is not in the artifact', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).callsFake(() => artifact({ 'other.json': TEMPLATE }));

    // Act
    const result = createChangeSet(state(), deps);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'ArtifactError' });
    expect(cfnMock.calls()).toHaveLength(0);
  });
});

describe('handler', () => {
  beforeEach(() => {
    cfnMock.reset();
    s3Mock.reset();
    s3Mock.on(GetObjectCommand).callsFake(() => artifact({ 'cdk.out/App.template.json': TEMPLATE }));
  });

  it('returns a change set state that matches the contract', async () => {
    // Prepare
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: CHANGE_SET_ARN, StackId: STACK_ID });

    // Act
    const result = await handler(state());

    // Assess
    expect(result).toMatchObject({ changeSetArn: CHANGE_SET_ARN, next: 'wait' });
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
