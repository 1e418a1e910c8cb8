import {
  PutJobFailureResultCommand,
  type PutJobFailureResultCommandInput,
  PutJobSuccessResultCommand,
  type PutJobSuccessResultCommandInput,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { encodeContinuationToken, executionArnFor, executionNameFor } from '@cfn-safe-deploy/state-payloads';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleJob } from '../src/trigger.js';
import {
  ARTIFACT_BUCKET,
  ARTIFACT_KEY,
  artifactZip,
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

// Attacks on the Trigger's orchestration of a cloud assembly (one execution per stack). Each test
// states what must hold; a failing one is a finding (see the attack report).

const deps = mockedDeps();

/** Three independent stacks, deployed in the manifest's order: prod-a, prod-b, prod-c. */
const MANIFEST = {
  version: '48.0.0',
  artifacts: Object.fromEntries(
    ['A', 'B', 'C'].map((id) => [
      id,
      {
        type: 'aws:cloudformation:stack',
        properties: { templateFile: `${id}.template.json`, stackName: `prod-${id.toLowerCase()}` },
      },
    ]),
  ),
};

const ARTIFACT: Record<string, string> = {
  'cdk.out/manifest.json': JSON.stringify(MANIFEST),
  'cdk.out/A.template.json': JSON.stringify({ Resources: {} }),
  'cdk.out/B.template.json': JSON.stringify({ Resources: {} }),
  'cdk.out/C.template.json': JSON.stringify({ Resources: {} }),
};

const INPUT = { environmentName: 'prod', cloudAssembly: 'cdk.out' };

const arnOf = (index: number) => executionArnFor(STATE_MACHINE_ARN, executionNameFor(JOB_ID, index));
const tokenOf = (index: number, count: number) => encodeContinuationToken(arnOf(index), { index, count });

function given(input: Record<string, unknown> = INPUT, files: Record<string, string> = ARTIFACT): void {
  inputBucketMock
    .on(GetObjectCommand, { Bucket: INPUT_BUCKET, Key: 'state_machine_input.json' })
    .callsFake(() => ({ Body: objectBody(JSON.stringify(input)) }));
  artifactMock
    .on(GetObjectCommand, { Bucket: ARTIFACT_BUCKET, Key: ARTIFACT_KEY })
    .callsFake(() => ({ Body: objectBody(artifactZip(files)) }));
  sfnMock.on(StartExecutionCommand).callsFake((request: { name: string }) => ({
    executionArn: executionArnFor(STATE_MACHINE_ARN, request.name),
    startDate: new Date(),
  }));
}

/** The execution of stack `index` exists, deployed `stackName` (its input) and succeeded. */
function givenSucceeded(index: number, stackName: string): void {
  sfnMock.on(DescribeExecutionCommand, { executionArn: arnOf(index) }).resolves({
    executionArn: arnOf(index),
    stateMachineArn: STATE_MACHINE_ARN,
    name: executionNameFor(JOB_ID, index),
    status: 'SUCCEEDED',
    startDate: new Date('2026-12-04T10:00:00Z'),
    stopDate: new Date('2026-12-04T10:05:00Z'),
    input: JSON.stringify({
      environmentName: 'prod',
      stackName: stackName.slice('prod-'.length),
      templatePath: 'cdk.out/x.template.json',
      revisionS3Bucket: ARTIFACT_BUCKET,
      revisionS3Key: ARTIFACT_KEY,
    }),
    output: outcomeJson({ result: 'updated', stackName }),
  });
}

function startedNames(): (string | undefined)[] {
  return sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
}

function answers(): {
  success: PutJobSuccessResultCommandInput[];
  failure: PutJobFailureResultCommandInput[];
} {
  return {
    success: codePipelineMock
      .commandCalls(PutJobSuccessResultCommand)
      .map((call) => call.args[0].input as PutJobSuccessResultCommandInput),
    failure: codePipelineMock
      .commandCalls(PutJobFailureResultCommand)
      .map((call) => call.args[0].input as PutJobFailureResultCommandInput),
  };
}

beforeEach(() => {
  resetMocks();
});

describe('attack: a repeated invocation of an assembly job', () => {
  it('a repeated first invocation, after stack 1 of 3 already succeeded, does not end the job without stacks 2 and 3', async () => {
    // Prepare: CodePipeline (or Lambda's async retry after a throttled PutJobSuccessResult) delivers
    // the first event again once the first stack's execution has finished.
    given();
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    givenSucceeded(0, 'prod-a');

    // Act
    await handleJob(jobEvent(), deps);

    // Assess: the job must go on (a continuation token, or stack 2 started), never succeed for good
    // with prod-b and prod-c never deployed.
    const { success, failure } = answers();
    const endedForGood =
      failure.length === 0 && success.length === 1 && success[0]?.continuationToken === undefined;
    expect(endedForGood, `job succeeded for good: ${success[0]?.executionDetails?.summary}`).toBe(false);
  });

  it('a repeated continuation after stack 1, once stack 2 already succeeded, does not end the job without stack 3', async () => {
    // Prepare: the continuation of stack 1 is delivered twice; the first delivery started stack 2,
    // which has finished by the time of the second.
    given();
    givenSucceeded(0, 'prod-a');
    givenSucceeded(1, 'prod-b');
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));

    // Act
    await handleJob(jobEvent({ continuationToken: tokenOf(0, 3) }), deps);

    // Assess
    const { success, failure } = answers();
    const endedForGood =
      failure.length === 0 && success.length === 1 && success[0]?.continuationToken === undefined;
    expect(endedForGood, `job succeeded for good: ${success[0]?.executionDetails?.summary}`).toBe(false);
  });
});

describe('attack: the input file changes between invocations (input bucket, not the immutable artifact)', () => {
  it('does not start the stack after a position whose stack was not the one deployed (no silent skip)', async () => {
    // Prepare: the job started with stacks A and B (execution s1 deployed prod-a); before the
    // continuation the input file in the input bucket is replaced (a later commit, a person) and now
    // picks B and C: the same count, so the token's position still "fits".
    given({ ...INPUT, stacks: ['B', 'C'] });
    givenSucceeded(0, 'prod-a');

    // Act
    await handleJob(jobEvent({ continuationToken: tokenOf(0, 2) }), deps);

    // Assess: plan[0] is now prod-b, never deployed; starting plan[1] (prod-c) skips it and the job
    // would end "All 2 stacks deployed" naming prod-b.
    expect(startedNames()).toEqual([]);
    const { failure } = answers();
    expect(failure).toHaveLength(1);
  });

  it('does not report a stack as deployed that no execution of the job deployed', async () => {
    // Prepare: last position, the file now picks B and C, executions deployed prod-a then prod-c.
    given({ ...INPUT, stacks: ['B', 'C'] });
    givenSucceeded(0, 'prod-a');
    givenSucceeded(1, 'prod-c');

    // Act
    await handleJob(jobEvent({ continuationToken: tokenOf(1, 2) }), deps);

    // Assess
    const { success } = answers();
    const summary = success[0]?.executionDetails?.summary ?? '';
    expect(summary, summary).not.toMatch(/prod-b: /);
    expect(success[0]?.outputVariables?.stacks ?? '').not.toContain('prod-b');
  });
});

describe('attack: sizes', () => {
  it('never calls StartExecution with an input over Step Functions 256 KiB (fails the job naming the size instead)', async () => {
    // Prepare: an input file under 256 KiB (a 250,000-character parameter the template declares)
    // plus 60 asset manifests of 500-character paths that the Trigger adds to the execution input.
    const longName = (index: number) => `${String(index).padStart(4, '0')}-${'x'.repeat(480)}.assets.json`;
    const assets = Object.fromEntries(
      Array.from({ length: 60 }, (_, index) => [
        `asset${index}`,
        { type: 'cdk:asset-manifest', properties: { file: longName(index) } },
      ]),
    );
    const manifest = {
      version: '48.0.0',
      artifacts: {
        ...assets,
        A: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'A.template.json', stackName: 'prod-a' },
          dependencies: Object.keys(assets),
        },
      },
    };
    given(
      { ...INPUT, parameters: { Big: 'v'.repeat(250_000) } },
      {
        ...ARTIFACT,
        'cdk.out/manifest.json': JSON.stringify(manifest),
        'cdk.out/A.template.json': JSON.stringify({ Parameters: { Big: { Type: 'String' } }, Resources: {} }),
      },
    );

    // Act
    await handleJob(jobEvent(), deps);

    // Assess
    const sizes = sfnMock
      .commandCalls(StartExecutionCommand)
      .map((call) => Buffer.byteLength(call.args[0].input.input ?? ''));
    expect(sizes.filter((size) => size > 256 * 1024)).toEqual([]);
    expect(answers().failure[0]?.failureDetails?.message ?? '').toMatch(/256 KiB|262,?144/);
  });

  it('deploys a stack whose template is over 51,200 bytes (Load Template reads up to 1 MB; the Trigger says "at most 1 MB")', async () => {
    // Prepare: a 60 KB template, ordinary for a CDK stack (CDK deploys it by TemplateURL).
    const template = JSON.stringify({
      Metadata: { Padding: 'p'.repeat(60_000) },
      Resources: {},
    });
    given(INPUT, { ...ARTIFACT, 'cdk.out/A.template.json': template });

    // Act
    await handleJob(jobEvent(), deps);

    // Assess
    expect(answers().failure.map((answer) => answer.failureDetails?.message)).toEqual([]);
    expect(startedNames()).toEqual([`job-${JOB_ID}-s1`]);
  });

  it('reads a manifest.json over 51,200 bytes (CDK writes construct metadata into it)', async () => {
    // Prepare
    const manifest = {
      ...MANIFEST,
      artifacts: Object.fromEntries(
        Object.entries(MANIFEST.artifacts).map(([id, artifact]) => [
          id,
          {
            ...artifact,
            metadata: { [`/${id}/Resource`]: [{ type: 'aws:cdk:logicalId', data: 'm'.repeat(20_000) }] },
          },
        ]),
      ),
    };
    given(INPUT, { ...ARTIFACT, 'cdk.out/manifest.json': JSON.stringify(manifest) });

    // Act
    await handleJob(jobEvent(), deps);

    // Assess
    expect(answers().failure.map((answer) => answer.failureDetails?.message)).toEqual([]);
    expect(startedNames()).toEqual([`job-${JOB_ID}-s1`]);
  });
});

describe('attack: a transient error when the next stack starts', () => {
  it('a throttled StartExecution of stack 2 does not fail the job without saying stack 1 was deployed (or retries)', async () => {
    // Prepare
    given();
    givenSucceeded(0, 'prod-a');
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }));

    // Act
    await handleJob(jobEvent({ continuationToken: tokenOf(0, 3) }), deps);

    // Assess: either the job goes on (asks again at the next continuation) or its failure says what
    // was deployed and what was not.
    const { success, failure } = answers();
    if (failure.length === 0) {
      expect(success[0]?.continuationToken).toBeDefined();
    } else {
      const message = failure[0]?.failureDetails?.message ?? '';
      expect(message).toContain('prod-a');
      expect(message).toContain('prod-c');
    }
  });
});
