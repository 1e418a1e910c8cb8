import { DeleteChangeSetCommand, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import {
  PutJobFailureResultCommand,
  type PutJobFailureResultCommandInput,
  PutJobSuccessResultCommand,
  type PutJobSuccessResultCommandInput,
} from '@aws-sdk/client-codepipeline';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  changeSetDescriptionFor,
  encodeContinuationToken,
  executionArnFor,
  executionNameFor,
  MAX_CONTINUATION_TOKEN,
  MAX_PIPELINE_MESSAGE,
} from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SUMMARY } from '../src/answer.js';
import { handleJob } from '../src/trigger.js';
import {
  ARTIFACT_BUCKET,
  ARTIFACT_KEY,
  CREDENTIALS,
  INPUT_BUCKET,
  INPUT_FILE,
  SECRETS,
  STATE_MACHINE_ARN,
} from './fixtures.js';
import { LogCapture } from './log-capture.js';
import {
  artifactMock,
  cfnMock,
  codePipelineMock,
  inputBucketMock,
  mockedDeps,
  resetMocks,
  sfnMock,
} from './mocked-clients.js';

// Random CodePipeline job events, UserParameters, input files, artifacts, continuation tokens and
// AWS answers thrown at the Trigger with its SDK clients mocked. The runs are bounded (numRuns) so
// that the file stays fast; a seed that fails is printed by fast-check and can be replayed.

const logs = new LogCapture();

const deps = mockedDeps();

const INPUT_PATH = 'state_machine_input.json';
const SECRET_VALUES = [SECRETS.secretAccessKey, SECRETS.sessionToken];

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Strings of every kind, from empty to far beyond every limit the Trigger answers within. */
const anyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 2_049, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

const jobIdArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 120 }) },
  { weight: 1, arbitrary: fc.integer({ min: 81, max: 20_000 }).map((n) => `j${'é'.repeat(n)}`) },
);

/** Something else than a string where a string is expected. */
const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A Step Functions execution ARN of another job (and possibly another state machine). */
const otherExecutionArn: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('cfn-safe-deploy-prod', 'other-machine'), fc.uuid())
  .map(([machine, id]) => `arn:aws:states:us-east-1:123456789012:execution:${machine}:job-${id}`);

interface TokenChoice {
  readonly label: 'own' | 'another-job' | 'truncated' | 'garbage' | 'huge' | 'not-a-string';
  readonly token: unknown;
}

function tokenArb(jobId: string): fc.Arbitrary<TokenChoice> {
  const own = encodeContinuationToken(executionArnFor(STATE_MACHINE_ARN, executionNameFor(jobId)));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant<TokenChoice>({ label: 'own', token: own }) },
    otherExecutionArn.map<TokenChoice>((arn) => ({
      label: 'another-job',
      token: encodeContinuationToken(arn),
    })),
    fc
      .integer({ min: 0, max: own.length - 1 })
      .map<TokenChoice>((n) => ({ label: 'truncated', token: own.slice(0, n) })),
    fc
      .oneof(fc.string({ maxLength: 60 }), fc.json({ maxDepth: 2 }))
      .map<TokenChoice>((token) => ({ label: 'garbage', token })),
    fc
      .integer({ min: MAX_CONTINUATION_TOKEN + 1, max: 40_000 })
      .map<TokenChoice>((n) => ({ label: 'huge', token: `{"v":1,"executionArn":"${'a'.repeat(n)}"}` })),
    notAString.map<TokenChoice>((token) => ({ label: 'not-a-string', token })),
  );
}

/** The UserParameters string (or what stands where it should be). */
const userParametersArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: fc.constant(JSON.stringify({ s3Bucket: INPUT_BUCKET, stateMachineFile: INPUT_PATH })),
  },
  { weight: 6, arbitrary: fc.constant(JSON.stringify({ stateMachineFile: INPUT_PATH })) },
  { weight: 3, arbitrary: fc.constant('{}') },
  fc.constant(`{"s3Bucket": "${INPUT_BUCKET}", "s3Bucket": "another-bucket"}`),
  fc.json({ maxDepth: 2 }),
  anyString,
  notAString,
  fc
    .record({
      s3Bucket: fc.oneof(fc.constant(INPUT_BUCKET), anyString),
      stateMachineFile: fc.oneof(fc.constant(INPUT_PATH), fc.constant('../secrets.json'), anyString),
    })
    .map((value) => JSON.stringify(value)),
);

/** The state machine input file, as bytes. */
const inputFileArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(strToU8(JSON.stringify(INPUT_FILE))) },
  {
    weight: 1,
    arbitrary: fc.constant(strToU8(`\uFEFF${JSON.stringify(INPUT_FILE)}`)),
  },
  {
    weight: 2,
    arbitrary: fc
      .record(
        {
          environmentName: fc.oneof(fc.constant('prod'), anyString, notAString),
          stackName: fc.oneof(fc.constant('app'), anyString, notAString),
          templatePath: fc.oneof(fc.constant('t.json'), fc.constant('../../etc/passwd'), anyString),
          onUnsafeChange: fc.oneof(fc.constantFrom('fail', 'blue-green', 'allow'), anyString),
          parameters: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), notAString), {
            maxKeys: 3,
          }),
          unknownKey: fc.string(),
        },
        { requiredKeys: [] },
      )
      .map((value) => strToU8(JSON.stringify(value))),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((text) => strToU8(text)) },
  { weight: 1, arbitrary: anyString.map((text) => strToU8(text)) },
  {
    weight: 1,
    arbitrary: fc.constant(
      strToU8(
        `{"environmentName": "prod", "stackName": "app", "templatePath": "t.json", "stackName": "other"}`,
      ),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => {
      const json = strToU8(JSON.stringify({ ...INPUT_FILE, tags: { note: '__' } }));
      const at = Buffer.from(json).indexOf('__');
      return Buffer.concat([
        json.subarray(0, at),
        Buffer.from([0xff, ...bytes.subarray(0, 4)]),
        json.subarray(at),
      ]);
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 256 * 1024 + 1, max: 400 * 1024 })
      .map((n) => strToU8(JSON.stringify({ ...INPUT_FILE, tags: { big: 'x'.repeat(n) } }))),
  },
);

interface ArtifactChoice {
  readonly kind: 'zip' | 'zip-without-file' | 'zip-slip' | 'not-a-zip' | 'error';
  readonly body?: Uint8Array;
  readonly error?: Error;
}

function artifactArb(file: Uint8Array): fc.Arbitrary<ArtifactChoice> {
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fc.constant<ArtifactChoice>({ kind: 'zip', body: zipSync({ [INPUT_PATH]: file }) }),
    },
    {
      weight: 1,
      arbitrary: fc.constant<ArtifactChoice>({
        kind: 'zip-without-file',
        body: zipSync({ 'template.json': strToU8('{}') }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant<ArtifactChoice>({
        kind: 'zip-slip',
        body: zipSync({ [INPUT_PATH]: file, '../../outside.json': strToU8('{}') }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ maxLength: 200 })
        .map<ArtifactChoice>((body) => ({ kind: 'not-a-zip', body })),
    },
    { weight: 1, arbitrary: awsErrorArb.map<ArtifactChoice>((error) => ({ kind: 'error', error })) },
  );
}

const awsErrorArb: fc.Arbitrary<Error> = fc.oneof(
  fc.constant(awsError('AccessDenied', 'Access Denied', 403)),
  fc.constant(awsError('NoSuchKey', 'The specified key does not exist.', 404)),
  fc.constant(awsError('ThrottlingException', 'Rate exceeded', 400)),
  fc.constant(awsError('InternalError', 'We encountered an internal error.', 500)),
  fc.string({ maxLength: 30 }).map((message) => new Error(message)),
);

/** What StartExecution answers. */
type StartChoice =
  | { readonly kind: 'started' }
  | { readonly kind: 'exists' }
  | { readonly kind: 'error'; readonly error: Error };
const startArb: fc.Arbitrary<StartChoice> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<StartChoice>({ kind: 'started' }) },
  { weight: 1, arbitrary: fc.constant<StartChoice>({ kind: 'exists' }) },
  { weight: 1, arbitrary: awsErrorArb.map<StartChoice>((error) => ({ kind: 'error', error })) },
);

const STATUSES = [
  'RUNNING',
  'PENDING_REDRIVE',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'SOMETHING_NEW',
];
/** What DescribeExecution answers: a status with any output, error and cause, or an error. */
const describeArb: fc.Arbitrary<Record<string, unknown> | Error> = fc.oneof(
  fc.record(
    {
      status: fc.constantFrom(...STATUSES),
      output: fc.oneof(
        fc.constant(JSON.stringify({ result: 'created', stackName: 'prod-app' })),
        fc.json({ maxDepth: 2 }),
        anyString,
      ),
      error: fc.oneof(fc.constantFrom('DeploymentFailed', 'DeploymentRefused', 'States.Timeout'), anyString),
      cause: fc.oneof(
        fc.constant(JSON.stringify({ result: 'failed', stackName: 'prod-app', reason: 'x'.repeat(9_000) })),
        fc.json({ maxDepth: 2 }),
        anyString,
      ),
      stopDate: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }),
      input: fc.oneof(
        fc.constant(JSON.stringify({ environmentName: 'prod', stackName: 'app' })),
        fc.json({ maxDepth: 2 }),
        anyString,
      ),
    },
    { requiredKeys: ['status'] },
  ),
  awsErrorArb,
);

/** What DescribeChangeSet answers for the change set an ended execution may have left, or an error. */
type ChangeSetChoice =
  | {
      readonly status: string;
      readonly executionStatus: string;
      /** Whether its Description names the execution's deployment. */
      readonly own: boolean;
    }
  | Error;
const changeSetArb: fc.Arbitrary<ChangeSetChoice> = fc.oneof(
  fc.record({
    status: fc.constantFrom(
      'CREATE_PENDING',
      'CREATE_IN_PROGRESS',
      'CREATE_COMPLETE',
      'FAILED',
      'DELETE_FAILED',
      'NEW',
    ),
    executionStatus: fc.constantFrom(
      'AVAILABLE',
      'UNAVAILABLE',
      'EXECUTE_IN_PROGRESS',
      'EXECUTE_COMPLETE',
      'EXECUTE_FAILED',
      'OBSOLETE',
      'NEW',
    ),
    own: fc.boolean(),
  }),
  awsErrorArb,
);

/** One random invocation: the event and every answer the mocked AWS gives. */
interface Scenario {
  readonly jobId: unknown;
  readonly token: TokenChoice | undefined;
  readonly userParameters: unknown;
  readonly inputArtifacts: unknown;
  readonly artifactCredentials: unknown;
  readonly inputFile: Uint8Array;
  readonly artifact: ArtifactChoice;
  readonly bucketError: Error | undefined;
  readonly start: StartChoice;
  readonly describe: Record<string, unknown> | Error;
  readonly changeSet: ChangeSetChoice;
  readonly deleteError: Error | undefined;
  readonly dataShape: 'object' | 'missing' | 'not-an-object';
}

const goodArtifacts = [
  {
    name: 'BuildOutput',
    location: { type: 'S3', s3Location: { bucketName: ARTIFACT_BUCKET, objectKey: ARTIFACT_KEY } },
  },
];

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .oneof(
    { weight: 18, arbitrary: jobIdArb },
    { weight: 1, arbitrary: notAString },
    { weight: 1, arbitrary: fc.constant('') },
  )
  .chain((jobId) =>
    fc.record({
      jobId: fc.constant(jobId),
      token: fc.oneof(
        { weight: 1, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: tokenArb(typeof jobId === 'string' && jobId.length > 0 ? jobId : 'some-job'),
        },
      ),
      userParameters: userParametersArb,
      inputArtifacts: fc.oneof(
        { weight: 16, arbitrary: fc.constant(goodArtifacts) },
        { weight: 1, arbitrary: fc.constant([]) },
        {
          weight: 1,
          arbitrary: fc.constant([
            ...goodArtifacts,
            { name: 'Other', location: { s3Location: { bucketName: 'b', objectKey: 'k' } } },
          ]),
        },
        { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
        {
          weight: 1,
          arbitrary: fc
            .record({
              bucketName: fc.oneof(anyString, notAString),
              objectKey: fc.oneof(anyString, notAString),
            })
            .map((s3Location) => [{ location: { s3Location } }]),
        },
      ),
      artifactCredentials: fc.oneof(
        { weight: 16, arbitrary: fc.constant(CREDENTIALS) },
        { weight: 1, arbitrary: fc.constant({ accessKeyId: CREDENTIALS.accessKeyId }) },
        { weight: 1, arbitrary: fc.constant({ ...CREDENTIALS, accessKeyId: 7 }) },
        { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
      ),
      inputFile: inputFileArb,
      artifact: inputFileArb.chain(artifactArb),
      bucketError: fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: awsErrorArb },
      ),
      start: startArb,
      describe: describeArb,
      changeSet: changeSetArb,
      deleteError: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: awsErrorArb },
      ),
      dataShape: fc.oneof(
        { weight: 18, arbitrary: fc.constant<Scenario['dataShape']>('object') },
        { weight: 1, arbitrary: fc.constantFrom<Scenario['dataShape']>('missing', 'not-an-object') },
      ),
    }),
  )
  .map((scenario) => scenario);

function eventOf(scenario: Scenario): Record<string, unknown> {
  const configuration: Record<string, unknown> = { FunctionName: 'cfn-safe-deploy-trigger' };
  if (scenario.userParameters !== undefined) configuration.UserParameters = scenario.userParameters;
  const data = {
    actionConfiguration: { configuration },
    inputArtifacts: scenario.inputArtifacts,
    outputArtifacts: [],
    artifactCredentials: scenario.artifactCredentials,
    ...(scenario.token === undefined ? {} : { continuationToken: scenario.token.token }),
  };
  const job: Record<string, unknown> = { id: scenario.jobId, accountId: '123456789012' };
  if (scenario.dataShape === 'object') job.data = data;
  if (scenario.dataShape === 'not-an-object') job.data = JSON.stringify(data).slice(0, 40);
  return { 'CodePipeline.job': job };
}

function body(bytes: Uint8Array): never {
  return {
    transformToByteArray: async () => bytes,
    transformToString: async () => Buffer.from(bytes).toString('utf8'),
  } as never;
}

/** The execution the Trigger last described: its name is the deployment id of its change set. */
let describedArn = '';

function given(scenario: Scenario): void {
  describedArn = '';
  resetMocks();
  if (scenario.bucketError === undefined) {
    inputBucketMock.on(GetObjectCommand).resolves({ Body: body(scenario.inputFile) });
  } else {
    inputBucketMock.on(GetObjectCommand).rejects(scenario.bucketError);
  }
  const { artifact } = scenario;
  if (artifact.error !== undefined) artifactMock.on(GetObjectCommand).rejects(artifact.error);
  else artifactMock.on(GetObjectCommand).resolves({ Body: body(artifact.body ?? new Uint8Array()) });
  sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => {
    if (scenario.start.kind === 'error') throw scenario.start.error;
    if (scenario.start.kind === 'exists')
      throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
    return { executionArn: executionArnFor(input.stateMachineArn, input.name), startDate: new Date() };
  });
  if (scenario.describe instanceof Error) sfnMock.on(DescribeExecutionCommand).rejects(scenario.describe);
  else
    sfnMock.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      describedArn = input.executionArn;
      return { executionArn: input.executionArn, ...scenario.describe };
    });
  const { changeSet } = scenario;
  if (changeSet instanceof Error) cfnMock.on(DescribeChangeSetCommand).rejects(changeSet);
  else
    cfnMock.on(DescribeChangeSetCommand).callsFake((input: { StackName: string; ChangeSetName: string }) => ({
      ChangeSetId: `arn:aws:cloudformation:eu-west-1:123456789012:changeSet/${input.ChangeSetName}/1`,
      ChangeSetName: input.ChangeSetName,
      StackName: input.StackName,
      Status: changeSet.status,
      ExecutionStatus: changeSet.executionStatus,
      Description: changeSetDescriptionFor(
        changeSet.own ? describedArn.slice(describedArn.lastIndexOf(':') + 1) : 'someone-else',
      ),
      Changes: [],
    }));
  if (scenario.deleteError === undefined) cfnMock.on(DeleteChangeSetCommand).resolves({});
  else cfnMock.on(DeleteChangeSetCommand).rejects(scenario.deleteError);
}

function successCalls(): PutJobSuccessResultCommandInput[] {
  return codePipelineMock.commandCalls(PutJobSuccessResultCommand).map((call) => call.args[0].input);
}

function failureCalls(): PutJobFailureResultCommandInput[] {
  return codePipelineMock.commandCalls(PutJobFailureResultCommand).map((call) => call.args[0].input);
}

/** Runs one scenario through the Trigger, with its logs captured. */
async function run(scenario: Scenario): Promise<{ threw: unknown; logText: string }> {
  given(scenario);
  logs.clear();
  let threw: unknown;
  try {
    await handleJob(eventOf(scenario), deps);
  } catch (error) {
    threw = error ?? new Error('undefined was thrown');
  }
  return { threw, logText: logs.text };
}

/** The invariants every invocation keeps, whatever it was given. */
function checkInvariants(scenario: Scenario, threw: unknown, logText: string): void {
  const jobId = scenario.jobId;
  const hasJobId = typeof jobId === 'string' && jobId.length > 0;
  const successes = successCalls();
  const failures = failureCalls();

  if (!hasJobId) {
    // No job id: nothing can be answered; the Trigger says so by throwing, and calls nothing.
    expect(threw).toBeInstanceOf(Error);
    expect(codePipelineMock.calls()).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
    return;
  }
  // Never throws past the job, and answers it exactly once.
  expect(threw).toBeUndefined();
  expect(successes.length + failures.length).toBe(1);
  for (const call of [...successes, ...failures]) expect(call.jobId).toBe(jobId);

  // At most one execution, named after this job, of the configured state machine; none when continuing.
  const starts = sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  expect(starts.length).toBeLessThanOrEqual(1);
  for (const start of starts) {
    expect(start.name).toBe(executionNameFor(jobId));
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
  }
  if (scenario.token !== undefined) expect(starts).toHaveLength(0);

  // A change set is deleted only when it is this deployment's own, never executed, no longer being
  // created, and its execution ended without an outcome.
  const deletes = cfnMock.commandCalls(DeleteChangeSetCommand);
  if (deletes.length > 0) {
    const { changeSet, describe } = scenario;
    expect(changeSet).not.toBeInstanceOf(Error);
    if (!(changeSet instanceof Error)) {
      expect(changeSet.own).toBe(true);
      expect(['EXECUTE_IN_PROGRESS', 'EXECUTE_COMPLETE', 'EXECUTE_FAILED', 'OBSOLETE']).not.toContain(
        changeSet.executionStatus,
      );
      expect(['CREATE_PENDING', 'CREATE_IN_PROGRESS']).not.toContain(changeSet.status);
    }
    expect(describe).not.toBeInstanceOf(Error);
    expect(['ABORTED', 'TIMED_OUT', 'FAILED']).toContain((describe as { status: string }).status);
    expect(deletes).toHaveLength(1);
  }

  // CodePipeline's limits.
  for (const failure of failures) {
    expect(failure.failureDetails?.message?.length ?? 0).toBeGreaterThan(0);
    expect(failure.failureDetails?.message?.length ?? 0).toBeLessThanOrEqual(MAX_PIPELINE_MESSAGE);
  }
  for (const success of successes) {
    expect(success.continuationToken?.length ?? 0).toBeLessThanOrEqual(MAX_CONTINUATION_TOKEN);
    expect(success.executionDetails?.summary?.length ?? 0).toBeLessThanOrEqual(MAX_SUMMARY);
  }

  // The artifact credentials appear nowhere: not in the logs, not in what the pipeline is told,
  // not in the execution input (the task functions read the artifact with their own roles).
  const told = JSON.stringify(codePipelineMock.calls().map((call) => call.args[0].input));
  const started = JSON.stringify(sfnMock.calls().map((call) => call.args[0].input));
  for (const secret of SECRET_VALUES) {
    expect(logText).not.toContain(secret);
    expect(told).not.toContain(secret);
    expect(started).not.toContain(secret);
  }
}

beforeEach(() => {
  logs.clear();
  logs.start();
});

afterEach(() => {
  logs.stop();
});

/** A well-formed first invocation: every field as CodePipeline sends it, every AWS answer a success. */
const validScenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    jobId: jobIdArb,
    fromBucket: fc.boolean(),
    environmentName: fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,20}$/),
    parameters: fc.dictionary(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/),
      fc.string({ maxLength: 40 }),
      {
        maxKeys: 4,
      },
    ),
    bom: fc.boolean(),
  })
  .map(({ jobId, fromBucket, environmentName, parameters, bom }) => {
    const file = strToU8(
      `${bom ? '\uFEFF' : ''}${JSON.stringify({ ...INPUT_FILE, environmentName, parameters })}`,
    );
    return {
      jobId,
      token: undefined,
      userParameters: JSON.stringify(
        fromBucket
          ? { s3Bucket: INPUT_BUCKET, stateMachineFile: INPUT_PATH }
          : { stateMachineFile: INPUT_PATH },
      ),
      inputArtifacts: goodArtifacts,
      artifactCredentials: CREDENTIALS,
      inputFile: file,
      artifact: { kind: 'zip', body: zipSync({ [INPUT_PATH]: file }) },
      bucketError: undefined,
      start: { kind: 'started' },
      describe: { status: 'RUNNING' },
      changeSet: new Error('no change set is looked at while the execution runs'),
      deleteError: undefined,
      dataShape: 'object',
    };
  });

/** A well-formed first invocation with exactly one thing wrong, and what the failure must name. */
interface Fault {
  readonly scenario: Scenario;
  readonly named: readonly string[];
}

const BUCKET_FILE = `s3://${INPUT_BUCKET}/${INPUT_PATH}`;
/** Text that is not JSON and not blank (blank UserParameters mean the defaults). */
const nonJsonText = fc.string({ minLength: 1, maxLength: 60 }).filter((text) => {
  if (text.trim().length === 0) return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
});

const faultArb: fc.Arbitrary<Fault> = validScenarioArb.chain((base) => {
  const fromBucket = { ...base, userParameters: JSON.stringify({ s3Bucket: INPUT_BUCKET }) };
  const fromArtifact = { ...base, userParameters: JSON.stringify({ stateMachineFile: INPUT_PATH }) };
  const withFile = (file: Uint8Array): Scenario => ({ ...fromBucket, inputFile: file });
  return fc.oneof(
    nonJsonText.map<Fault>((text) => ({
      scenario: { ...base, userParameters: text },
      named: ['UserParameters', JSON.stringify(text.trim().slice(0, 80))],
    })),
    fc.constant<Fault>({
      scenario: { ...base, userParameters: `{"s3Bucket": "${INPUT_BUCKET}", "s3Bucket": "another-bucket"}` },
      named: ['UserParameters', '"s3Bucket" is written twice'],
    }),
    nonJsonText.map<Fault>((text) => ({
      scenario: withFile(strToU8(text)),
      named: [BUCKET_FILE, 'is not JSON'],
    })),
    fc.constantFrom('stackName', 'templatePath', 'environmentName').map<Fault>((key) => ({
      scenario: withFile(
        strToU8(
          `{"environmentName": "prod", "stackName": "app", "templatePath": "t.json", "${key}": "again"}`,
        ),
      ),
      named: [BUCKET_FILE, `"${key}" is written twice`],
    })),
    fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80]).map<Fault>((bad) => {
      const json = Buffer.from(JSON.stringify({ ...INPUT_FILE, tags: { note: '<>' } }));
      const at = json.indexOf('<>') + 1;
      return {
        scenario: withFile(Buffer.concat([json.subarray(0, at), Buffer.from(bad), json.subarray(at)])),
        named: [BUCKET_FILE, 'not UTF-8'],
      };
    }),
    fc.integer({ min: 256 * 1024, max: 300 * 1024 }).map<Fault>((n) => ({
      scenario: withFile(strToU8(JSON.stringify({ ...INPUT_FILE, tags: { big: 'x'.repeat(n) } }))),
      named: [BUCKET_FILE, '262144'],
    })),
    fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((name) => !/^[a-zA-Z][a-zA-Z0-9-]*$/.test(name))
      .map<Fault>((name) => ({
        scenario: withFile(strToU8(JSON.stringify({ ...INPUT_FILE, environmentName: name }))),
        named: [BUCKET_FILE, 'environmentName', JSON.stringify(name)],
      })),
    fc.uint8Array({ maxLength: 200 }).map<Fault>((bytes) => ({
      scenario: { ...fromArtifact, artifact: { kind: 'not-a-zip', body: bytes } },
      named: [`s3://${ARTIFACT_BUCKET}/${ARTIFACT_KEY}`, INPUT_PATH],
    })),
    fc.constant<Fault>({
      scenario: {
        ...fromArtifact,
        artifact: {
          kind: 'zip-slip',
          body: zipSync({ [INPUT_PATH]: base.inputFile, '../../outside.json': strToU8('{}') }),
        },
      },
      named: [`s3://${ARTIFACT_BUCKET}/${ARTIFACT_KEY}`, '"../../outside.json"'],
    }),
    fc.constantFrom('accessKeyId', 'secretAccessKey').map<Fault>((missing) => {
      const { [missing]: _, ...rest } = CREDENTIALS;
      return {
        scenario: { ...fromArtifact, artifactCredentials: rest },
        named: ['artifactCredentials', missing],
      };
    }),
    fc
      .anything({ maxDepth: 1 })
      .filter((value) => !Array.isArray(value))
      .map<Fault>((value) => ({
        scenario: { ...base, inputArtifacts: value },
        named: ['inputArtifacts'],
      })),
    fc.constant<Fault>({
      scenario: { ...base, inputArtifacts: [] },
      named: ['inputArtifacts', 'no input artifact'],
    }),
    fc.oneof(nonJsonText, fc.constant('')).map<Fault>((token) => ({
      scenario: { ...base, token: { label: 'garbage', token } },
      named: ['continuation token', JSON.stringify(token.slice(0, 80))],
    })),
    fc.integer({ min: 1, max: 60 }).map<Fault>((cut) => {
      const token = encodeContinuationToken(
        executionArnFor(STATE_MACHINE_ARN, executionNameFor(String(base.jobId))),
      );
      return {
        scenario: { ...base, token: { label: 'truncated', token: token.slice(0, token.length - cut) } },
        named: ['continuation token'],
      };
    }),
    notAString.map<Fault>((token) => ({
      scenario: { ...base, token: { label: 'not-a-string', token } },
      named: ['continuationToken'],
    })),
  );
});

// The runs are bounded by numRuns, not by time: on a loaded machine (CI runs every project at once)
// 400 runs can take far longer than vitest's default per-test timeout.
describe('the Trigger under random events, files, artifacts, tokens and AWS answers', {
  timeout: 180_000,
}, () => {
  it('always answers the job exactly once, starts at most its own execution, keeps CodePipeline limits and never leaks the artifact credentials', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const { threw, logText } = await run(scenario);
        checkInvariants(scenario, threw, logText);
      }),
      { numRuns: 400 },
    );
  });

  it('starts exactly one execution, named after the job, for every well-formed first invocation', async () => {
    await fc.assert(
      fc.asyncProperty(validScenarioArb, async (scenario) => {
        const { threw, logText } = await run(scenario);
        checkInvariants(scenario, threw, logText);
        const starts = sfnMock.commandCalls(StartExecutionCommand);
        expect(starts).toHaveLength(1);
        const [success] = successCalls();
        expect(failureCalls()).toEqual([]);
        expect(success?.continuationToken).toBe(
          encodeContinuationToken(
            executionArnFor(STATE_MACHINE_ARN, executionNameFor(String(scenario.jobId))),
          ),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('fails the job naming the bad value when one thing is wrong', async () => {
    await fc.assert(
      fc.asyncProperty(faultArb, async ({ scenario, named }) => {
        const { threw, logText } = await run(scenario);
        checkInvariants(scenario, threw, logText);
        expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
        const [failure] = failureCalls();
        const message = failure?.failureDetails?.message ?? '';
        for (const name of named) expect(message).toContain(name);
      }),
      { numRuns: 300 },
    );
  });
});
