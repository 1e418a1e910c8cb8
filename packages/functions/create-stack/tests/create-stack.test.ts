import {
  AlreadyExistsException,
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudFormationError, RetryableError, SafetyRefusedError } from '@cfn-safe-deploy/deploy-shared';
import type { TaskInput } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createStack } from '../src/create-stack.js';

const cfn = mockClient(CloudFormationClient);
const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/1';
const TEMPLATE = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
const now = new Date('2026-03-01T12:00:00.000Z');

const deps = {
  cfn: new CloudFormationClient({ region: 'us-east-1' }),
  config: { maxArchiveBytes: 1024 * 1024, executionRoleArn: 'arn:aws:iam::123456789012:role/cfn-exec' },
  now: () => now,
  random: () => 0.5,
};

const state: TaskInput<'createStack'> = {
  input: {
    environmentName: 'prod',
    stackName: 'app',
    templatePath: 'template.yaml',
    revisionS3Bucket: 'artifacts',
    revisionS3Key: 'source.zip',
    parameters: { Stage: 'prod' },
    capabilities: ['CAPABILITY_IAM'],
    onUnsafeChange: 'fail',
  },
  deploymentId: 'job-1',
  template: { body: TEMPLATE, bytes: TEMPLATE.length },
  stack: {
    stackName: 'prod-app',
    exists: false,
    changeSetType: 'CREATE',
    next: 'create',
    reason: 'missing',
  },
};

beforeEach(() => {
  cfn.reset();
  cfn.on(CreateStackCommand).resolves({ StackId: stackId });
});

describe('createStack', () => {
  it('creates the stack from the template with OnFailure DELETE and an idempotent token', async () => {
    // Act
    const operation = await createStack(state, deps);

    // Assess
    expect(operation).toEqual({
      kind: 'create',
      stackName: 'prod-app',
      stackId,
      startedAt: '2026-03-01T12:00:00.000Z',
      outcome: 'in-progress',
      poll: { attempt: 1, waitSeconds: 5, waitedSeconds: 0, exhausted: false },
    });
    const request = cfn.commandCalls(CreateStackCommand)[0]?.args[0].input;
    expect(request).toMatchObject({
      StackName: 'prod-app',
      TemplateBody: TEMPLATE,
      OnFailure: 'DELETE',
      Parameters: [{ ParameterKey: 'Stage', ParameterValue: 'prod' }],
      Capabilities: ['CAPABILITY_IAM'],
      Tags: [],
      RoleARN: 'arn:aws:iam::123456789012:role/cfn-exec',
    });
    expect(request?.ClientRequestToken).toMatch(/^create-prod-app-job-1-[0-9a-f]{12}$/);
  });

  it('sends the same token on a retry of the same deployment', async () => {
    await createStack(state, deps);
    await createStack(state, deps);
    const [first, second] = cfn
      .commandCalls(CreateStackCommand)
      .map((call) => call.args[0].input.ClientRequestToken);
    expect(first).toBe(second);
  });

  it('creates the blue/green stack when one was prepared', async () => {
    // Act
    const operation = await createStack(
      {
        ...state,
        stack: { ...state.stack, exists: true, next: 'update' },
        blueGreen: { stackName: 'prod-app-bg-1a2b3c4d' },
      },
      deps,
    );

    // Assess
    expect(operation.stackName).toBe('prod-app-bg-1a2b3c4d');
    expect(cfn.commandCalls(CreateStackCommand)[0]?.args[0].input.StackName).toBe('prod-app-bg-1a2b3c4d');
  });

  it('creates again after a ROLLBACK_COMPLETE stack was deleted', async () => {
    const operation = await createStack(
      { ...state, stack: { ...state.stack, exists: true, next: 'recreate' } },
      deps,
    );
    expect(operation.kind).toBe('create');
  });

  it('refuses to create when the existence check did not decide "create"', async () => {
    // Act
    const creating = createStack({ ...state, stack: { ...state.stack, exists: true, next: 'update' } }, deps);

    // Assess
    await expect(creating).rejects.toBeInstanceOf(SafetyRefusedError);
    expect(cfn.commandCalls(CreateStackCommand)).toHaveLength(0);
  });

  it('passes a template staged in S3 as its URL', async () => {
    // Prepare
    const url = 'https://staging.s3.us-east-1.amazonaws.com/templates/prod-app/job-1.template';

    // Act
    await createStack({ ...state, template: { url, bytes: 60_123 } }, deps);

    // Assess
    const request = cfn.commandCalls(CreateStackCommand)[0]?.args[0].input;
    expect(request?.TemplateURL).toBe(url);
    expect(request?.TemplateBody).toBeUndefined();
  });

  it('finds its own stack when a retry answers AlreadyExists', async () => {
    // Prepare
    cfn
      .on(CreateStackCommand)
      .rejects(new AlreadyExistsException({ message: 'Stack [prod-app] already exists', $metadata: {} }));
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'prod-app',
          StackId: stackId,
          StackStatus: 'CREATE_IN_PROGRESS',
          CreationTime: new Date('2026-03-01T11:59:58.000Z'),
        },
      ],
    });
    const token = cfn.commandCalls(CreateStackCommand)[0]?.args[0].input.ClientRequestToken;
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [{ ClientRequestToken: 'someone-else' } as never], NextToken: 'page-2' })
      .callsFake(() => ({
        StackEvents: [
          {
            ClientRequestToken:
              cfn.commandCalls(CreateStackCommand)[0]?.args[0].input.ClientRequestToken ?? token,
          } as never,
        ],
      }));

    // Act
    const operation = await createStack(state, deps);

    // Assess
    expect(operation).toMatchObject({
      stackId,
      status: 'CREATE_IN_PROGRESS',
      startedAt: '2026-03-01T11:59:58.000Z',
      outcome: 'in-progress',
    });
  });

  it.each([
    ['another deployment', [{ ClientRequestToken: 'create-prod-app-job-0-0123456789ab' }]],
    ['nobody we know', [{}]],
  ])('names the stack when it already exists, created by %s', async (_, events) => {
    // Prepare
    cfn.on(CreateStackCommand).rejects(awsError('AlreadyExistsException', 'Stack [prod-app] already exists'));
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'prod-app',
          StackId: stackId,
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: now,
        },
      ],
    });
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: events as never });

    // Act
    const creating = createStack(state, deps);

    // Assess
    await expect(creating).rejects.toBeInstanceOf(CloudFormationError);
    await expect(creating).rejects.toThrow(
      'CreateStack on prod-app failed: a stack of that name already exists (CREATE_COMPLETE) and was not created by deployment job-1',
    );
  });

  it('reports AlreadyExists when the stack vanished again before it could be described', async () => {
    cfn.on(CreateStackCommand).rejects(awsError('AlreadyExistsException', 'exists'));
    cfn
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id prod-app does not exist'));
    await expect(createStack(state, deps)).rejects.toThrow(
      /already exists and was not created by deployment job-1/,
    );
  });

  it('maps errors of the follow-up DescribeStacks', async () => {
    cfn.on(CreateStackCommand).rejects(awsError('AlreadyExistsException', 'exists'));
    cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 'Rate exceeded'));
    await expect(createStack(state, deps)).rejects.toBeInstanceOf(RetryableError);
  });

  it.each([
    ['throttling', awsError('Throttling', 'Rate exceeded'), RetryableError],
    [
      'missing capabilities',
      awsError('InsufficientCapabilitiesException', 'Requires capabilities : [CAPABILITY_IAM]'),
      CloudFormationError,
    ],
    ['a limit', awsError('LimitExceededException', 'Stack limit exceeded'), CloudFormationError],
  ])('maps %s from CreateStack', async (_, error, type) => {
    cfn.on(CreateStackCommand).rejects(error);
    const creating = createStack(state, deps);
    await expect(creating).rejects.toBeInstanceOf(type);
    await expect(creating).rejects.toThrow(/CreateStack on prod-app/);
  });

  it('fails when CreateStack answers without a stack id', async () => {
    cfn.on(CreateStackCommand).resolves({});
    await expect(createStack(state, deps)).rejects.toThrow(
      'CreateStack on prod-app answered without a stack id',
    );
  });
});
