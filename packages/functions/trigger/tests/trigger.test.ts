import { DeleteChangeSetCommand, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import {
  PutJobFailureResultCommand,
  type PutJobFailureResultCommandInput,
  PutJobSuccessResultCommand,
  type PutJobSuccessResultCommandInput,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import {
  changeSetDescriptionFor,
  changeSetNameFor,
  decodeContinuationToken,
  encodeContinuationToken,
  executionNameFor,
  MAX_PIPELINE_MESSAGE,
} from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactCredentials } from '../src/event.js';
import { handleJob, type TriggerDeps } from '../src/trigger.js';
import {
  ARTIFACT_BUCKET,
  ARTIFACT_KEY,
  artifactZip,
  CREDENTIALS,
  EXECUTION_ARN,
  EXECUTION_NAME,
  finding,
  INPUT_BUCKET,
  INPUT_FILE,
  JOB_ID,
  jobEvent,
  objectBody,
  outcomeJson,
  STATE_MACHINE_ARN,
  userParameters,
} from './fixtures.js';
import { LogCapture } from './log-capture.js';
import {
  artifactMock,
  artifactS3Client,
  cfnMock,
  codePipelineMock,
  inputBucketMock,
  mockedDeps,
  resetMocks,
  sfnMock,
} from './mocked-clients.js';

const logs = new LogCapture();
let artifactCredentialsSeen: ArtifactCredentials[] = [];

function deps(env: TriggerDeps['env'] = { STATE_MACHINE_ARN }): TriggerDeps {
  return mockedDeps({
    now: () => NOW,
    artifactS3: (credentials) => {
      artifactCredentialsSeen.push(credentials);
      return artifactS3Client;
    },
    env,
  });
}

function successCalls(): PutJobSuccessResultCommandInput[] {
  return codePipelineMock.commandCalls(PutJobSuccessResultCommand).map((call) => call.args[0].input);
}

function failureCalls(): PutJobFailureResultCommandInput[] {
  return codePipelineMock.commandCalls(PutJobFailureResultCommand).map((call) => call.args[0].input);
}

/** The one PutJobFailureResult of the invocation (and no success). */
function theFailure(): { message: string; externalExecutionId?: string } {
  expect(successCalls()).toHaveLength(0);
  const calls = failureCalls();
  expect(calls).toHaveLength(1);
  const details = calls[0]?.failureDetails;
  expect(details?.type).toBe('JobFailed');
  expect(calls[0]?.jobId).toBe(JOB_ID);
  return {
    message: details?.message ?? '',
    ...(details?.externalExecutionId ? { externalExecutionId: details.externalExecutionId } : {}),
  };
}

function theSuccess(): PutJobSuccessResultCommandInput {
  expect(failureCalls()).toHaveLength(0);
  const calls = successCalls();
  expect(calls).toHaveLength(1);
  expect(calls[0]?.jobId).toBe(JOB_ID);
  return calls[0] as PutJobSuccessResultCommandInput;
}

function givenInputBucketFile(content: unknown): void {
  inputBucketMock
    .on(GetObjectCommand, { Bucket: INPUT_BUCKET, Key: 'state_machine_input.json' })
    .resolves({ Body: objectBody(typeof content === 'string' ? content : JSON.stringify(content)) });
}

function givenArtifact(files: Record<string, string>): void {
  artifactMock
    .on(GetObjectCommand, { Bucket: ARTIFACT_BUCKET, Key: ARTIFACT_KEY })
    .resolves({ Body: objectBody(artifactZip(files)) });
}

function givenExecution(description: Record<string, unknown>): void {
  sfnMock.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({
    executionArn: EXECUTION_ARN,
    stateMachineArn: STATE_MACHINE_ARN,
    name: EXECUTION_NAME,
    startDate: new Date('2026-11-26T10:00:00Z'),
    ...description,
  });
}

/** The Trigger's clock in these tests. */
const NOW = new Date('2026-11-26T13:05:00Z');

const continuation = () => jobEvent({ continuationToken: encodeContinuationToken(EXECUTION_ARN) });
const OVERSIZED_INPUT_FILE = JSON.stringify({ ...INPUT_FILE, tags: { big: 'x'.repeat(300 * 1024) } });

beforeEach(() => {
  resetMocks();
  artifactCredentialsSeen = [];
  logs.clear();
  logs.start();
});

afterEach(() => {
  logs.stop();
});

describe('first invocation of a job', () => {
  it('reads the input file from the input bucket, starts the execution named after the job and continues', async () => {
    // Prepare
    givenInputBucketFile(INPUT_FILE);
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    // Act
    const answer = await handleJob(jobEvent(), deps());

    // Assess
    expect(answer.kind).toBe('continue');
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start?.name).toBe(executionNameFor(JOB_ID));
    expect(JSON.parse(start?.input ?? '{}')).toEqual({
      ...INPUT_FILE,
      onUnsafeChange: 'fail',
      revisionS3Bucket: ARTIFACT_BUCKET,
      revisionS3Key: ARTIFACT_KEY,
    });
    const success = theSuccess();
    expect(decodeContinuationToken(success.continuationToken ?? '').executionArn).toBe(EXECUTION_ARN);
    expect(success.executionDetails?.externalExecutionId).toBe(EXECUTION_ARN);
    expect(success.outputVariables).toBeUndefined();
    expect(artifactCredentialsSeen).toHaveLength(0);
  });

  it('without s3Bucket reads the input file from the input artifact with the job artifact credentials', async () => {
    // Prepare
    givenArtifact({
      'state_machine_input.json': JSON.stringify(INPUT_FILE),
      'SampleLambdaApp.template.json': '{}',
    });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    // Act
    await handleJob(
      jobEvent({ userParameters: userParameters({ stateMachineFile: 'state_machine_input.json' }) }),
      deps(),
    );

    // Assess
    expect(artifactCredentialsSeen).toEqual([
      {
        accessKeyId: CREDENTIALS.accessKeyId,
        secretAccessKey: CREDENTIALS.secretAccessKey,
        sessionToken: CREDENTIALS.sessionToken,
      },
    ]);
    expect(artifactMock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: ARTIFACT_BUCKET,
      Key: ARTIFACT_KEY,
    });
    expect(inputBucketMock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(theSuccess().continuationToken).toBe(encodeContinuationToken(EXECUTION_ARN));
  });

  it('treats missing UserParameters as the defaults: state_machine_input.json in the input artifact', async () => {
    // Prepare
    givenArtifact({ 'state_machine_input.json': JSON.stringify(INPUT_FILE) });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    // Act
    await handleJob(jobEvent({ userParameters: null }), deps());

    // Assess
    expect(artifactMock.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(theSuccess().continuationToken).toBeDefined();
  });

  it('deploys the job input artifact even when the input file names another revision', async () => {
    // Prepare
    givenInputBucketFile({ ...INPUT_FILE, revisionS3Bucket: 'elsewhere', revisionS3Key: 'old.zip' });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    // Act
    await handleJob(jobEvent(), deps());

    // Assess
    const input = JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
    expect(input).toMatchObject({ revisionS3Bucket: ARTIFACT_BUCKET, revisionS3Key: ARTIFACT_KEY });
  });

  it.each(['stateMachineArn', 'executionRoleArn', 'roleArn'])(
    'refuses an input file that names %s: the input file chooses neither the state machine nor the role',
    async (key) => {
      // Prepare
      givenInputBucketFile({ ...INPUT_FILE, [key]: 'arn:aws:iam::123456789012:role/admin' });

      // Act
      await handleJob(jobEvent(), deps());

      // Assess
      expect(theFailure().message).toContain(`(top level) has unknown key "${key}"`);
      expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    },
  );

  it('logs the job id and the execution ARN on every line of the invocation', async () => {
    // Prepare
    givenInputBucketFile(INPUT_FILE);
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    // Act
    await handleJob(jobEvent(), deps());

    // Assess
    const lines = logs.lines;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.jobId).toBe(JOB_ID);
    expect(lines.some((line) => line.executionArn === EXECUTION_ARN)).toBe(true);
  });
});

describe('a repeated first invocation (at-least-once delivery)', () => {
  it('starts with the same execution name each time, so Step Functions returns the same execution', async () => {
    // Prepare
    givenInputBucketFile(INPUT_FILE);
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });

    // Act
    await handleJob(jobEvent(), deps());
    await handleJob(jobEvent(), deps());

    // Assess
    const names = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name);
    expect(names).toEqual([EXECUTION_NAME, EXECUTION_NAME]);
    expect(successCalls().map((call) => call.continuationToken)).toEqual([
      encodeContinuationToken(EXECUTION_ARN),
      encodeContinuationToken(EXECUTION_ARN),
    ]);
  });

  it('follows the existing execution when StartExecution answers ExecutionAlreadyExists, never starting another', async () => {
    // Prepare
    givenInputBucketFile(INPUT_FILE);
    sfnMock.on(StartExecutionCommand).rejects(
      new ExecutionAlreadyExists({
        message: `Execution Already Exists: '${EXECUTION_ARN}'`,
        $metadata: {},
      }),
    );
    givenExecution({ status: 'RUNNING' });

    // Act
    const answer = await handleJob(jobEvent(), deps());

    // Assess
    expect(answer.kind).toBe('continue');
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXECUTION_ARN,
    });
    expect(theSuccess().continuationToken).toBe(encodeContinuationToken(EXECUTION_ARN));
  });

  it('answers with the outcome at once when the existing execution has already finished', async () => {
    // Prepare
    givenInputBucketFile(INPUT_FILE);
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    givenExecution({
      status: 'SUCCEEDED',
      output: outcomeJson({ result: 'updated', stackName: 'prod-sample-lambda-app' }),
    });

    // Act
    await handleJob(jobEvent(), deps());

    // Assess
    const success = theSuccess();
    expect(success.continuationToken).toBeUndefined();
    expect(success.outputVariables).toMatchObject({ result: 'updated', stackName: 'prod-sample-lambda-app' });
  });
});

describe('continuation', () => {
  it.each(['RUNNING', 'PENDING_REDRIVE'])('%s: answers with the same continuation token', async (status) => {
    // Prepare
    givenExecution({ status });

    // Act
    const answer = await handleJob(continuation(), deps());

    // Assess
    expect(answer.kind).toBe('continue');
    const success = theSuccess();
    expect(success.continuationToken).toBe(encodeContinuationToken(EXECUTION_ARN));
    expect(success.outputVariables).toBeUndefined();
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('refuses a token naming an execution of another state machine, without describing it', async () => {
    // Prepare
    const foreign = 'arn:aws:states:us-east-1:123456789012:execution:other-machine:job-1';

    // Act
    await handleJob(jobEvent({ continuationToken: encodeContinuationToken(foreign) }), deps());

    // Assess
    expect(theFailure().message).toContain(
      `continuation token is invalid: executionArn: "${foreign}" is not an execution of the state machine ${STATE_MACHINE_ARN}`,
    );
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('does not need STATE_MACHINE_ARN to follow an execution it started', async () => {
    // Prepare
    givenExecution({ status: 'RUNNING' });

    // Act
    await handleJob(continuation(), deps({}));

    // Assess
    expect(theSuccess().continuationToken).toBeDefined();
  });

  it.each([
    [{ result: 'created', stackName: 'prod-sample-lambda-app' }, 'Created stack prod-sample-lambda-app'],
    [{ result: 'updated', stackName: 'prod-sample-lambda-app' }, 'Updated stack prod-sample-lambda-app'],
    [{ result: 'no-changes', stackName: 'prod-sample-lambda-app' }, 'No changes'],
  ] as const)(
    'SUCCEEDED with %o: final success with a summary and output variables',
    async (outcome, summary) => {
      // Prepare
      givenExecution({ status: 'SUCCEEDED', output: outcomeJson(outcome) });

      // Act
      const answer = await handleJob(continuation(), deps());

      // Assess
      expect(answer.kind).toBe('succeeded');
      const success = theSuccess();
      expect(success.continuationToken).toBeUndefined();
      expect(success.executionDetails?.summary).toContain(summary);
      expect(success.executionDetails?.externalExecutionId).toBe(EXECUTION_ARN);
      expect(success.outputVariables).toEqual({
        result: outcome.result,
        stackName: outcome.stackName,
        executionArn: EXECUTION_ARN,
      });
    },
  );

  it('SUCCEEDED as blue/green: names the new stack in the summary and the output variables', async () => {
    // Prepare
    givenExecution({
      status: 'SUCCEEDED',
      output: outcomeJson({
        result: 'blue-green',
        stackName: 'prod-sample-lambda-app',
        blueGreenStackName: 'prod-sample-lambda-app-bg-1a2b3c4d',
        verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
        findings: [finding(1)],
        findingCount: 1,
      }),
    });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    const success = theSuccess();
    expect(success.executionDetails?.summary).toContain('prod-sample-lambda-app-bg-1a2b3c4d');
    expect(success.executionDetails?.summary?.length).toBeLessThanOrEqual(2048);
    expect(success.outputVariables).toMatchObject({
      result: 'blue-green',
      blueGreenStackName: 'prod-sample-lambda-app-bg-1a2b3c4d',
    });
  });

  it('SUCCEEDED with an output that is not an outcome: fails closed', async () => {
    // Prepare
    givenExecution({ status: 'SUCCEEDED', output: '{"hello":"world"}' });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    const failure = theFailure();
    expect(failure.message).toContain('not a deployment outcome');
    expect(failure.externalExecutionId).toBe(EXECUTION_ARN);
  });

  it('SUCCEEDED with a refused outcome: fails the job with the verdict', async () => {
    // Prepare
    givenExecution({
      status: 'SUCCEEDED',
      output: outcomeJson({
        result: 'refused',
        stackName: 'prod-sample-lambda-app',
        verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
        findings: [finding(1)],
        findingCount: 1,
      }),
    });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    expect(theFailure().message).toContain('RESOURCES-BEING-DELETED-OR-REPLACED');
  });

  it('FAILED with a refused outcome as cause: the message gives the verdict and the findings, within 5,000 characters', async () => {
    // Prepare
    const findings = Array.from({ length: 200 }, (_, index) => finding(index));
    givenExecution({
      status: 'FAILED',
      error: 'DeploymentRefused',
      cause: outcomeJson({
        result: 'refused',
        stackName: 'prod-sample-lambda-app',
        verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
        findings,
        findingCount: 230,
      }),
      stopDate: new Date('2026-11-26T10:05:00Z'),
    });

    // Act
    const answer = await handleJob(continuation(), deps());

    // Assess
    expect(answer.kind).toBe('failed');
    const failure = theFailure();
    expect(failure.message).toContain('RESOURCES-BEING-DELETED-OR-REPLACED');
    expect(failure.message).toContain('Function0 (AWS::Lambda::Function)');
    expect(failure.message).toMatch(/and \d+ more/);
    expect(failure.message.length).toBeLessThanOrEqual(MAX_PIPELINE_MESSAGE);
    expect(failure.externalExecutionId).toBe(EXECUTION_ARN);
  });

  it("FAILED with a failed outcome as cause: the message gives CloudFormation's reason", async () => {
    // Prepare
    givenExecution({
      status: 'FAILED',
      error: 'DeploymentFailed',
      cause: outcomeJson({
        result: 'failed',
        stage: 'stack update',
        stackName: 'prod-sample-lambda-app',
        reason: 'Function (AWS::Lambda::Function): Memory size must be at least 128',
      }),
    });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    expect(theFailure().message).toBe(
      'Deployment of prod-sample-lambda-app failed during stack update: Function (AWS::Lambda::Function): Memory size must be at least 128',
    );
  });

  it('FAILED without an outcome (a Lambda error): the message gives the error and its message', async () => {
    // Prepare
    givenExecution({
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: JSON.stringify({ errorType: 'Error', errorMessage: 'something broke' }),
    });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    expect(theFailure().message).toContain('States.TaskFailed: something broke');
  });

  it.each([
    ['TIMED_OUT', 'timed out'],
    ['ABORTED', 'aborted'],
  ])('%s: fails the job saying there is no outcome', async (status, words) => {
    // Prepare
    givenExecution({ status, stopDate: new Date('2026-11-26T13:00:00Z') });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    const failure = theFailure();
    expect(failure.message).toContain(words);
    expect(failure.message).toContain('before reaching an outcome');
    expect(failure.message).toContain('2026-11-26T13:00:00.000Z');
    expect(failure.externalExecutionId).toBe(EXECUTION_ARN);
  });

  describe('an execution that ended without an outcome left its change set', () => {
    const STACK = 'prod-sample-lambda-app';
    const CHANGE_SET = changeSetNameFor(STACK, EXECUTION_NAME);
    const CHANGE_SET_ARN = `arn:aws:cloudformation:eu-west-1:123456789012:changeSet/${CHANGE_SET}/1`;
    const input = JSON.stringify({ environmentName: 'prod', stackName: 'sample-lambda-app' });

    function givenChangeSet(fields: Record<string, unknown>): void {
      cfnMock.on(DescribeChangeSetCommand, { StackName: STACK, ChangeSetName: CHANGE_SET }).resolves({
        ChangeSetId: CHANGE_SET_ARN,
        ChangeSetName: CHANGE_SET,
        StackName: STACK,
        Description: changeSetDescriptionFor(EXECUTION_NAME),
        Changes: [],
        ...fields,
      });
      cfnMock.on(DeleteChangeSetCommand).resolves({});
    }

    function deleted(): string[] {
      return cfnMock
        .commandCalls(DeleteChangeSetCommand)
        .map((call) => call.args[0].input.ChangeSetName ?? '');
    }

    it.each([
      ['ABORTED', {}],
      ['TIMED_OUT', {}],
      ['FAILED', { error: 'States.Runtime', cause: 'An error occurred while executing the state' }],
    ])('%s: deletes the AVAILABLE change set and says so', async (status, fields) => {
      // Prepare
      givenExecution({ status, input, stopDate: new Date('2026-11-26T13:00:00Z'), ...fields });
      givenChangeSet({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      expect(deleted()).toEqual([CHANGE_SET_ARN]);
      expect(theFailure().message).toContain(
        `Its change set ${CHANGE_SET} of stack ${STACK} was never executed and has been deleted.`,
      );
    });

    it('a FAILED change set (nothing to change) is deleted too', async () => {
      // Prepare
      givenExecution({ status: 'ABORTED', input });
      givenChangeSet({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE' });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      expect(deleted()).toEqual([CHANGE_SET_ARN]);
      expect(theFailure().message).toContain('has been deleted');
    });

    it('FAILED with an outcome: the state machine cleaned up itself; no CloudFormation call', async () => {
      // Prepare
      givenExecution({
        status: 'FAILED',
        input,
        error: 'DeploymentRefused',
        cause: outcomeJson({
          result: 'refused',
          stackName: STACK,
          verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
          findings: [finding(1)],
          findingCount: 1,
        }),
      });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      theFailure();
      expect(cfnMock.calls()).toHaveLength(0);
    });

    it('an executed change set is never deleted; the message says it was executed', async () => {
      // Prepare
      givenExecution({ status: 'ABORTED', input });
      givenChangeSet({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'EXECUTE_IN_PROGRESS' });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      expect(deleted()).toEqual([]);
      expect(theFailure().message).toContain(
        `Its change set ${CHANGE_SET} of stack ${STACK} had been executed (EXECUTE_IN_PROGRESS).`,
      );
    });

    it("a change set of that name that is not this deployment's is not touched", async () => {
      // Prepare
      givenExecution({ status: 'ABORTED', input });
      givenChangeSet({
        Status: 'CREATE_COMPLETE',
        ExecutionStatus: 'AVAILABLE',
        Description: 'made by hand',
      });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      expect(deleted()).toEqual([]);
      expect(theFailure().message).toContain("does not carry this deployment's description");
    });

    it('no change set (stopped before Create Change Set): the message is unchanged', async () => {
      // Prepare
      givenExecution({ status: 'ABORTED', input });
      cfnMock
        .on(DescribeChangeSetCommand)
        .rejects(awsError('ChangeSetNotFoundException', `ChangeSet [${CHANGE_SET}] does not exist`));

      // Act
      await handleJob(continuation(), deps());

      // Assess
      expect(deleted()).toEqual([]);
      expect(theFailure().message).toMatch(
        /aborted \(stopped\).*before reaching an outcome[\s\S]*execution [^ ]+\.$/,
      );
    });

    it('still being created: answers with the token again, then deletes it at the next invocation', async () => {
      // Prepare
      givenExecution({ status: 'ABORTED', input, stopDate: new Date('2026-11-26T13:00:00Z') });
      givenChangeSet({ Status: 'CREATE_IN_PROGRESS', ExecutionStatus: 'UNAVAILABLE' });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      const first = theSuccess();
      expect(first.continuationToken).toBe(encodeContinuationToken(EXECUTION_ARN));
      expect(first.executionDetails?.summary).toContain('CREATE_IN_PROGRESS');
      expect(deleted()).toEqual([]);

      // Act: CloudFormation has finished creating it
      codePipelineMock.resetHistory();
      givenChangeSet({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
      await handleJob(continuation(), deps());

      // Assess
      expect(deleted()).toEqual([CHANGE_SET_ARN]);
      expect(theFailure().message).toContain('has been deleted');
    });

    it('still being created 15 minutes after the execution ended: fails, telling a person to delete it', async () => {
      // Prepare
      givenExecution({ status: 'ABORTED', input, stopDate: new Date('2026-11-26T12:40:00Z') });
      givenChangeSet({ Status: 'CREATE_IN_PROGRESS', ExecutionStatus: 'UNAVAILABLE' });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      expect(theFailure().message).toContain('delete it by hand');
    });

    it('a DeleteChangeSet that is denied: fails naming the change set and the permission problem', async () => {
      // Prepare
      givenExecution({ status: 'TIMED_OUT', input });
      givenChangeSet({ Status: 'CREATE_COMPLETE', ExecutionStatus: 'AVAILABLE' });
      cfnMock.on(DeleteChangeSetCommand).rejects(awsError('AccessDenied', 'not authorized', 403));

      // Act
      await handleJob(continuation(), deps());

      // Assess
      const { message } = theFailure();
      expect(message).toContain(`could not delete its change set ${CHANGE_SET} of stack ${STACK}`);
      expect(message).toContain('AccessDenied');
    });

    it('an execution input that names no stack: fails saying the change set could not be looked for', async () => {
      // Prepare
      givenExecution({ status: 'ABORTED', input: '{"x": 1}' });

      // Act
      await handleJob(continuation(), deps());

      // Assess
      expect(theFailure().message).toContain('could not look for a change set left by it');
      expect(cfnMock.calls()).toHaveLength(0);
    });
  });

  it('ABORTED with a cause: includes the cause given when it was stopped', async () => {
    // Prepare
    givenExecution({ status: 'ABORTED', error: 'Operator', cause: 'stopped during an incident' });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    expect(theFailure().message).toContain('Operator: stopped during an incident');
  });

  it('an unknown status: fails closed', async () => {
    // Prepare
    givenExecution({ status: 'PAUSED' });

    // Act
    await handleJob(continuation(), deps());

    // Assess
    expect(theFailure().message).toContain('"PAUSED"');
  });

  it('a throttled DescribeExecution: answers with the token again (the execution runs on regardless)', async () => {
    // Prepare
    sfnMock.on(DescribeExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act
    const answer = await handleJob(continuation(), deps());

    // Assess
    expect(answer.kind).toBe('continue');
    expect(theSuccess().continuationToken).toBe(encodeContinuationToken(EXECUTION_ARN));
  });

  it('an execution that does not exist: fails naming it', async () => {
    // Prepare
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(
        new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${EXECUTION_ARN}'`, $metadata: {} }),
      );

    // Act
    await handleJob(continuation(), deps());

    // Assess
    const failure = theFailure();
    expect(failure.message).toContain(`DescribeExecution of ${EXECUTION_ARN} failed: ExecutionDoesNotExist`);
    expect(failure.externalExecutionId).toBe(EXECUTION_ARN);
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['JSON of another shape', JSON.stringify({ stateMachineExecutionArn: EXECUTION_ARN })],
    ['an ARN that is not an execution', JSON.stringify({ v: 1, executionArn: STATE_MACHINE_ARN })],
  ])('a malformed continuation token (%s): fails naming the token', async (_, token) => {
    // Prepare
    const event = jobEvent({ continuationToken: token });

    // Act
    await handleJob(event, deps());

    // Assess
    const failure = theFailure();
    expect(failure.message).toContain('could not follow the deployment');
    expect(failure.message).toContain('continuation token');
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('every bad input of a first invocation ends in PutJobFailureResult naming the problem', () => {
  it.each<[string, () => void, TriggerDeps['env'] | undefined, Record<string, unknown>, string]>([
    [
      'STATE_MACHINE_ARN unset',
      () => givenInputBucketFile(INPUT_FILE),
      {},
      jobEvent(),
      'STATE_MACHINE_ARN is not set',
    ],
    [
      'STATE_MACHINE_ARN not a state machine ARN',
      () => givenInputBucketFile(INPUT_FILE),
      { STATE_MACHINE_ARN: 'my-state-machine' },
      jobEvent(),
      'STATE_MACHINE_ARN is "my-state-machine"; expected a Step Functions state machine ARN',
    ],
    [
      'UserParameters not JSON',
      () => undefined,
      undefined,
      jobEvent({ userParameters: 's3Bucket=x' }),
      'UserParameters is invalid: it is not JSON',
    ],
    [
      'UserParameters with an unknown field',
      () => undefined,
      undefined,
      jobEvent({ userParameters: userParameters({ bucket: INPUT_BUCKET }) }),
      '(top level) has unknown key "bucket"',
    ],
    [
      'UserParameters with a bad bucket',
      () => undefined,
      undefined,
      jobEvent({ userParameters: userParameters({ s3Bucket: 'x' }) }),
      's3Bucket: must be an S3 bucket name',
    ],
    [
      'no input artifact',
      () => undefined,
      undefined,
      jobEvent({ inputArtifacts: [] }),
      'has no input artifact',
    ],
    [
      'input file missing in the bucket',
      () =>
        inputBucketMock
          .on(GetObjectCommand)
          .rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} })),
      undefined,
      jobEvent(),
      `Could not read the state machine input file s3://${INPUT_BUCKET}/state_machine_input.json`,
    ],
    [
      'input bucket access denied',
      () => inputBucketMock.on(GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403)),
      undefined,
      jobEvent(),
      'AccessDenied: Access Denied (a permission problem: check what the Trigger function role may do)',
    ],
    [
      'input file not JSON',
      () => givenInputBucketFile('{"environmentName": '),
      undefined,
      jobEvent(),
      'is not JSON',
    ],
    [
      'input file with a bad field',
      () => givenInputBucketFile({ ...INPUT_FILE, environmentName: 'prod env' }),
      undefined,
      jobEvent(),
      'environmentName: must be a letter, then letters, digits or hyphens (got "prod env")',
    ],
    [
      'input file with an unknown field',
      () => givenInputBucketFile({ ...INPUT_FILE, stackname: 'typo' }),
      undefined,
      jobEvent(),
      '(top level) has unknown key "stackname"',
    ],
    [
      'input file with a key written twice (found by property.test.ts)',
      () =>
        givenInputBucketFile(
          '{"environmentName": "prod", "stackName": "app", "templatePath": "t.json", "stackName": "other"}',
        ),
      undefined,
      jobEvent(),
      `s3://${INPUT_BUCKET}/state_machine_input.json is invalid: the key "stackName" is written twice`,
    ],
    [
      'input file in the bucket that is not UTF-8 (found by property.test.ts)',
      () =>
        inputBucketMock.on(GetObjectCommand, { Bucket: INPUT_BUCKET }).resolves({
          Body: objectBody(
            Buffer.concat([
              Buffer.from('{"environmentName": "prod", "stackName": "app", "templatePath": "t'),
              Buffer.from([0xff]),
              Buffer.from('.json"}'),
            ]),
          ),
        }),
      undefined,
      jobEvent(),
      `The state machine input file s3://${INPUT_BUCKET}/state_machine_input.json is not UTF-8 text`,
    ],
    [
      'input file over 256 KiB',
      () => givenInputBucketFile({ ...INPUT_FILE, tags: { big: 'x'.repeat(300 * 1024) } }),
      undefined,
      jobEvent(),
      'Step Functions accepts execution input of at most 262144 bytes',
    ],
    [
      'input file missing in the artifact',
      () => givenArtifact({ 'SampleLambdaApp.template.json': '{}' }),
      undefined,
      jobEvent({ userParameters: '{}' }),
      'the archive holds "SampleLambdaApp.template.json"',
    ],
    [
      'input file over 256 KiB in the artifact',
      () => givenArtifact({ 'state_machine_input.json': OVERSIZED_INPUT_FILE }),
      undefined,
      jobEvent({ userParameters: '{}' }),
      `"state_machine_input.json" in s3://${ARTIFACT_BUCKET}/${ARTIFACT_KEY} is ${Buffer.byteLength(OVERSIZED_INPUT_FILE)} bytes; Step Functions accepts execution input of at most 262144 bytes`,
    ],
    [
      'artifact credentials missing',
      () => givenArtifact({ 'state_machine_input.json': JSON.stringify(INPUT_FILE) }),
      undefined,
      jobEvent({ userParameters: '{}', artifactCredentials: { accessKeyId: 'ASIAX' } }),
      'data.artifactCredentials: secretAccessKey missing',
    ],
    [
      'the state machine does not exist',
      () => {
        givenInputBucketFile(INPUT_FILE);
        sfnMock
          .on(StartExecutionCommand)
          .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
      },
      undefined,
      jobEvent(),
      'StateMachineDoesNotExist: State Machine Does Not Exist. Deploy the state machine app first',
    ],
    [
      'StartExecution throttled',
      () => {
        givenInputBucketFile(INPUT_FILE);
        sfnMock.on(StartExecutionCommand).rejects(
          new SFNServiceException({
            name: 'ThrottlingException',
            message: 'Rate exceeded',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          }),
        );
      },
      undefined,
      jobEvent(),
      'retrying the pipeline stage may work',
    ],
  ])('%s', async (_, given, env, event, expected) => {
    // Prepare
    given();

    // Act
    const answer = await handleJob(event, deps(env));

    // Assess
    expect(answer.kind).toBe('failed');
    const failure = theFailure();
    expect(failure.message).toContain('The Trigger could not start the deployment');
    expect(failure.message).toContain(expected);
    expect(failure.message.length).toBeLessThanOrEqual(MAX_PIPELINE_MESSAGE);
  });

  it('names the execution in the failure once its name is known', async () => {
    // Prepare
    givenInputBucketFile(INPUT_FILE);
    sfnMock.on(StartExecutionCommand).rejects(new Error('socket hang up'));

    // Act
    await handleJob(jobEvent(), deps());

    // Assess
    expect(theFailure().externalExecutionId).toBe(EXECUTION_ARN);
  });

  it('an event that is not a CodePipeline job: throws, since there is no job to answer', async () => {
    // Act
    const handling = handleJob({ Records: [] }, deps());

    // Assess
    await expect(handling).rejects.toThrow('The event is not a CodePipeline job');
    expect(codePipelineMock.calls()).toHaveLength(0);
  });
});

describe('when answering the job fails', () => {
  it('logs and rethrows a failed PutJobSuccessResult', async () => {
    // Prepare
    givenExecution({ status: 'RUNNING' });
    codePipelineMock
      .on(PutJobSuccessResultCommand)
      .rejects(new Error('InvalidJobStateException: job is not in progress'));

    // Act
    const handling = handleJob(continuation(), deps());

    // Assess
    await expect(handling).rejects.toThrow('InvalidJobStateException');
    expect(logs.lines.some((line) => line.message === 'Could not answer the CodePipeline job')).toBe(true);
  });

  it('logs and rethrows a failed PutJobFailureResult', async () => {
    // Prepare
    givenExecution({ status: 'ABORTED' });
    codePipelineMock.on(PutJobFailureResultCommand).rejects(new Error('JobNotFoundException'));

    // Act
    const handling = handleJob(continuation(), deps());

    // Assess
    await expect(handling).rejects.toThrow('JobNotFoundException');
    expect(logs.lines.some((line) => line.message === 'Could not answer the CodePipeline job')).toBe(true);
  });
});
