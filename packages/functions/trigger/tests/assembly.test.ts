import {
  PutJobFailureResultCommand,
  type PutJobFailureResultCommandInput,
  PutJobSuccessResultCommand,
  type PutJobSuccessResultCommandInput,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  decodeContinuationToken,
  encodeContinuationToken,
  executionArnFor,
  executionNameFor,
} from '@cfn-safe-deploy/state-payloads';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleJob } from '../src/trigger.js';
import {
  ARTIFACT_BUCKET,
  ARTIFACT_KEY,
  artifactZip,
  finding,
  INPUT_BUCKET,
  JOB_ID,
  jobEvent,
  objectBody,
  outcomeJson,
  STATE_MACHINE_ARN,
} from './fixtures.js';
import {
  artifactMock,
  codePipelineMock,
  inputBucketMock,
  mockedDeps,
  resetMocks,
  sfnMock,
} from './mocked-clients.js';

// A cloud assembly as the input: one execution per stack, in dependency order, the next started
// when the one before succeeded, the job failed naming the stack when one did not.

const deps = mockedDeps();

const MANIFEST = {
  version: '48.0.0',
  artifacts: {
    'SampleService.assets': { type: 'cdk:asset-manifest', properties: { file: 'SampleService.assets.json' } },
    SampleService: {
      type: 'aws:cloudformation:stack',
      properties: { templateFile: 'SampleService.template.json', stackName: 'prod-sample-service' },
      dependencies: ['SampleData', 'SampleService.assets'],
    },
    SampleData: {
      type: 'aws:cloudformation:stack',
      properties: { templateFile: 'SampleData.template.json', stackName: 'prod-sample-data' },
      dependencies: [],
    },
  },
};

const ARTIFACT = {
  'cdk.out/manifest.json': JSON.stringify(MANIFEST),
  'cdk.out/SampleData.template.json': JSON.stringify({
    Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>' } },
    Resources: {},
  }),
  'cdk.out/SampleService.template.json': JSON.stringify({
    Parameters: { environmentName: { Type: 'String' }, LogLevel: { Type: 'String' } },
    Resources: {},
  }),
  'cdk.out/SampleService.assets.json': '{}',
};

const INPUT = {
  environmentName: 'prod',
  cloudAssembly: 'cdk.out',
  parameters: { LogLevel: 'debug', Unused: 'x' },
  capabilities: ['CAPABILITY_IAM'],
};

const arnOf = (index: number) => executionArnFor(STATE_MACHINE_ARN, executionNameFor(JOB_ID, index));
const tokenOf = (index: number) => encodeContinuationToken(arnOf(index), { index, count: 2 });

function given(input: Record<string, unknown> = INPUT, files: Record<string, string> = ARTIFACT): void {
  inputBucketMock
    .on(GetObjectCommand, { Bucket: INPUT_BUCKET, Key: 'state_machine_input.json' })
    .resolves({ Body: objectBody(JSON.stringify(input)) });
  artifactMock
    .on(GetObjectCommand, { Bucket: ARTIFACT_BUCKET, Key: ARTIFACT_KEY })
    .callsFake(() => ({ Body: objectBody(artifactZip(files)) }));
  sfnMock.on(StartExecutionCommand).callsFake((request: { name: string }) => ({
    executionArn: executionArnFor(STATE_MACHINE_ARN, request.name),
    startDate: new Date(),
  }));
}

const PLANNED = ['sample-data', 'sample-service'];

/** The execution of stack `index`, started with the input of the stack the plan has there. */
function givenExecution(index: number, fields: Record<string, unknown>): void {
  sfnMock.on(DescribeExecutionCommand, { executionArn: arnOf(index) }).resolves({
    executionArn: arnOf(index),
    stateMachineArn: STATE_MACHINE_ARN,
    name: executionNameFor(JOB_ID, index),
    startDate: new Date('2026-12-04T10:00:00Z'),
    input: JSON.stringify({ environmentName: 'prod', stackName: PLANNED[index], templatePath: 'x.json' }),
    ...fields,
  });
}

function starts(): { name?: string; input: Record<string, unknown> }[] {
  return sfnMock.commandCalls(StartExecutionCommand).map((call) => ({
    name: call.args[0].input.name,
    input: JSON.parse(call.args[0].input.input ?? '{}') as Record<string, unknown>,
  }));
}

function theSuccess(): PutJobSuccessResultCommandInput {
  expect(codePipelineMock.commandCalls(PutJobFailureResultCommand)).toHaveLength(0);
  const calls = codePipelineMock.commandCalls(PutJobSuccessResultCommand);
  expect(calls).toHaveLength(1);
  return calls[0]?.args[0].input as PutJobSuccessResultCommandInput;
}

function theFailure(): PutJobFailureResultCommandInput {
  expect(codePipelineMock.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  const calls = codePipelineMock.commandCalls(PutJobFailureResultCommand);
  expect(calls).toHaveLength(1);
  return calls[0]?.args[0].input as PutJobFailureResultCommandInput;
}

beforeEach(() => {
  resetMocks();
});

describe('a cloud assembly', () => {
  it('starts the first stack in dependency order, with the name the assembly gives it and every asset manifest', async () => {
    // Prepare
    given();

    // Act
    await handleJob(jobEvent(), deps);

    // Assess
    expect(starts()).toEqual([
      {
        name: `job-${JOB_ID}-s1`,
        input: {
          environmentName: 'prod',
          stackName: 'sample-data',
          templatePath: 'cdk.out/SampleData.template.json',
          capabilities: ['CAPABILITY_IAM'],
          onUnsafeChange: 'fail',
          assetManifests: ['cdk.out/SampleService.assets.json'],
          revisionS3Bucket: ARTIFACT_BUCKET,
          revisionS3Key: ARTIFACT_KEY,
        },
      },
    ]);
    const success = theSuccess();
    expect(decodeContinuationToken(success.continuationToken ?? '')).toEqual({
      v: 1,
      executionArn: arnOf(0),
      stack: { index: 0, count: 2, plan: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
    expect(success.executionDetails?.summary).toContain('prod-sample-data (stack 1 of 2)');
  });

  it('starts the next stack when one succeeded, passing only the parameters its template declares', async () => {
    // Prepare
    given();
    givenExecution(0, {
      status: 'SUCCEEDED',
      output: outcomeJson({ result: 'updated', stackName: 'prod-sample-data' }),
    });

    // Act
    await handleJob(jobEvent({ continuationToken: tokenOf(0) }), deps);

    // Assess
    expect(starts()).toEqual([
      {
        name: `job-${JOB_ID}-s2`,
        input: expect.objectContaining({
          stackName: 'sample-service',
          templatePath: 'cdk.out/SampleService.template.json',
          parameters: { LogLevel: 'debug', environmentName: 'prod' },
        }),
      },
    ]);
    expect(starts()[0]?.input).not.toHaveProperty('assetManifests');
    expect(decodeContinuationToken(theSuccess().continuationToken ?? '').stack).toEqual({
      index: 1,
      count: 2,
      plan: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
  });

  it('fails the job when a stack is refused, naming it and the stacks not attempted; starts nothing', async () => {
    // Prepare
    given();
    givenExecution(0, {
      status: 'FAILED',
      error: 'DeploymentRefused',
      cause: outcomeJson({
        result: 'refused',
        stackName: 'prod-sample-data',
        verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
        findings: [finding(1)],
        findingCount: 1,
      }),
    });

    // Act
    await handleJob(jobEvent({ continuationToken: tokenOf(0) }), deps);

    // Assess
    expect(starts()).toEqual([]);
    const message = theFailure().failureDetails?.message ?? '';
    expect(message).toMatch(/^Stack prod-sample-data \(1 of 2\): /);
    expect(message).toContain('RESOURCES-BEING-DELETED-OR-REPLACED');
    expect(message).toContain('Not attempted, left as they were: prod-sample-service.');
  });

  it('succeeds after the last stack with every stack outcome', async () => {
    // Prepare
    given();
    givenExecution(0, {
      status: 'SUCCEEDED',
      output: outcomeJson({ result: 'no-changes', stackName: 'prod-sample-data' }),
    });
    givenExecution(1, {
      status: 'SUCCEEDED',
      output: outcomeJson({ result: 'updated', stackName: 'prod-sample-service' }),
    });

    // Act
    await handleJob(jobEvent({ continuationToken: tokenOf(1) }), deps);

    // Assess
    const success = theSuccess();
    expect(success.continuationToken).toBeUndefined();
    expect(success.executionDetails?.summary).toMatch(
      /^All 2 stacks of cdk.out deployed\. prod-sample-data: .*prod-sample-service: /,
    );
    expect(success.outputVariables).toMatchObject({ stacks: 'prod-sample-data,prod-sample-service' });
    expect(starts()).toEqual([]);
  });

  it.each([
    [{ ...INPUT, stacks: ['Nope'] }, ARTIFACT, '"Nope" is not a stack of the assembly cdk.out'],
    [INPUT, { 'cdk.out/other.json': '{}' }, 'cdk.out/manifest.json'],
    [{ ...INPUT, onUnsafeChange: 'blue-green' }, ARTIFACT, 'not supported with a cloud assembly'],
    [
      INPUT,
      { ...ARTIFACT, 'cdk.out/SampleData.template.json': 'Resources: {}' },
      'cdk.out/SampleData.template.json in the source artifact',
    ],
  ])('fails the job naming what is wrong (%#), starting nothing', async (input, files, named) => {
    // Prepare
    given(input, files);

    // Act
    await handleJob(jobEvent(), deps);

    // Assess
    expect(theFailure().failureDetails?.message).toContain(named);
    expect(starts()).toEqual([]);
  });

  it('a repeated first invocation follows the execution already started, with its stack position', async () => {
    // Prepare
    given();
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    givenExecution(0, { status: 'RUNNING' });

    // Act
    await handleJob(jobEvent(), deps);

    // Assess
    expect(decodeContinuationToken(theSuccess().continuationToken ?? '')).toEqual({
      v: 1,
      executionArn: arnOf(0),
      stack: { index: 0, count: 2, plan: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
  });
});
