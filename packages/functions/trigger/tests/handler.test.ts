import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { encodeContinuationToken } from '@cfn-safe-deploy/state-payloads';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ARTIFACT_BUCKET,
  ARTIFACT_KEY,
  artifactZip,
  EXECUTION_ARN,
  finding,
  INPUT_BUCKET,
  INPUT_FILE,
  JOB_ID,
  jobEvent,
  objectBody,
  outcomeJson,
  SECRETS,
  STATE_MACHINE_ARN,
  userParameters,
} from './fixtures.js';
import { LogCapture } from './log-capture.js';

// The real handler, with every client of its classes mocked (including the artifact client it
// builds per job), so that the whole of what it prints can be checked for secrets.
const codePipelineMock = mockClient(CodePipelineClient);
const sfnMock = mockClient(SFNClient);
const s3Mock = mockClient(S3Client);
const logs = new LogCapture();

type Handler = (event: unknown) => Promise<void>;
let handler: Handler;

beforeAll(async () => {
  vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('DATABASE_PASSWORD', SECRETS.environment);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
  ({ handler } = await import('../src/handler.js'));
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  codePipelineMock.reset();
  sfnMock.reset();
  s3Mock.reset();
  codePipelineMock.on(PutJobSuccessResultCommand).resolves({});
  codePipelineMock.on(PutJobFailureResultCommand).resolves({});
});

function givenFiles(): void {
  s3Mock
    .on(GetObjectCommand, { Bucket: INPUT_BUCKET })
    .resolves({ Body: objectBody(JSON.stringify(INPUT_FILE)) });
  s3Mock
    .on(GetObjectCommand, { Bucket: ARTIFACT_BUCKET, Key: ARTIFACT_KEY })
    .resolves({ Body: objectBody(artifactZip({ 'state_machine_input.json': JSON.stringify(INPUT_FILE) })) });
}

const fromArtifact = () =>
  jobEvent({ userParameters: userParameters({ stateMachineFile: 'state_machine_input.json' }) });
const continuation = () => jobEvent({ continuationToken: encodeContinuationToken(EXECUTION_ARN) });

/** Every path of the function, each as its own invocation of the real handler. */
const paths: ReadonlyArray<[string, () => void, () => unknown]> = [
  [
    'start from the input bucket',
    () => {
      givenFiles();
      sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    },
    jobEvent,
  ],
  [
    'start from the input artifact',
    () => {
      givenFiles();
      sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    },
    fromArtifact,
  ],
  [
    'repeated start',
    () => {
      givenFiles();
      sfnMock
        .on(StartExecutionCommand)
        .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
      sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING' });
    },
    fromArtifact,
  ],
  [
    'artifact access denied',
    () =>
      s3Mock.on(GetObjectCommand).rejects(
        new S3ServiceException({
          name: 'AccessDenied',
          message: 'Access Denied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
        }),
      ),
    fromArtifact,
  ],
  ['bad UserParameters', () => undefined, () => jobEvent({ userParameters: '{"s3Bucket": 1}' })],
  ['malformed token', () => undefined, () => jobEvent({ continuationToken: 'garbage' })],
  [
    'running',
    () => sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING' }),
    continuation,
  ],
  [
    'succeeded',
    () =>
      sfnMock.on(DescribeExecutionCommand).resolves({
        executionArn: EXECUTION_ARN,
        status: 'SUCCEEDED',
        output: outcomeJson({ result: 'created', stackName: 'prod-sample-lambda-app' }),
      }),
    continuation,
  ],
  [
    'refused',
    () =>
      sfnMock.on(DescribeExecutionCommand).resolves({
        executionArn: EXECUTION_ARN,
        status: 'FAILED',
        error: 'DeploymentRefused',
        cause: outcomeJson({
          result: 'refused',
          stackName: 'prod-sample-lambda-app',
          verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
          findings: [finding(1)],
          findingCount: 1,
        }),
      }),
    continuation,
  ],
  [
    'timed out',
    () => sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'TIMED_OUT' }),
    continuation,
  ],
  [
    'aborted',
    () => sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'ABORTED' }),
    continuation,
  ],
];

describe('handler', () => {
  it('reads the input artifact with an S3 client signed with the job artifact credentials', async () => {
    // Prepare
    givenFiles();
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
    logs.start();

    // Act
    try {
      await handler(fromArtifact());
    } finally {
      logs.stop();
    }

    // Assess
    const artifactRead = s3Mock.commandCalls(GetObjectCommand, { Bucket: ARTIFACT_BUCKET })[0];
    const client = artifactRead?.thisValue as S3Client | undefined;
    const credentials = await client?.config.credentials();
    expect(credentials).toMatchObject({
      accessKeyId: SECRETS.accessKeyId,
      secretAccessKey: SECRETS.secretAccessKey,
      sessionToken: SECRETS.sessionToken,
    });
    expect(codePipelineMock.commandCalls(PutJobSuccessResultCommand)[0]?.args[0].input.jobId).toBe(JOB_ID);
  });

  it('never logs the artifact credentials or the environment on any path', async () => {
    // Prepare
    logs.clear();
    logs.start();
    const messages: string[] = [];

    // Act
    try {
      for (const [, given, event] of paths) {
        codePipelineMock.reset();
        sfnMock.reset();
        s3Mock.reset();
        codePipelineMock.on(PutJobSuccessResultCommand).resolves({});
        codePipelineMock.on(PutJobFailureResultCommand).resolves({});
        given();
        await handler(event());
        messages.push(JSON.stringify(codePipelineMock.calls().map((call) => call.args[0].input)));
      }
      codePipelineMock.reset();
      codePipelineMock.on(PutJobFailureResultCommand).rejects(new Error('answer failed'));
      await handler(jobEvent({ userParameters: 'not json' })).catch(() => undefined);
      await handler({
        notAJob: true,
        artifactCredentials: { secretAccessKey: SECRETS.secretAccessKey },
      }).catch(() => undefined);
    } finally {
      logs.stop();
    }

    // Assess
    const output = logs.text;
    expect(logs.lines.filter((line) => line.jobId === JOB_ID).length).toBeGreaterThanOrEqual(paths.length);
    for (const secret of [SECRETS.secretAccessKey, SECRETS.sessionToken, SECRETS.environment]) {
      expect(output).not.toContain(secret);
      for (const message of messages) expect(message).not.toContain(secret);
    }
    expect(output).not.toContain('DATABASE_PASSWORD');
  });
});
