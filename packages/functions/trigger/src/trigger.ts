import { createHash } from 'node:crypto';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  type CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DEFAULT_MAX_FILE_BYTES,
  readArtifactFile,
  type logger as sharedLogger,
} from '@cfn-safe-deploy/deploy-shared';
import {
  type AssemblyInputFile,
  type AssemblyStack,
  declaredParameters,
  decodeContinuationToken,
  type ExecutionInput,
  encodeContinuationToken,
  executionArnFor,
  executionNameFor,
  MAX_PIPELINE_MESSAGE,
  MAX_TEMPLATE_BYTES,
  PayloadValidationError,
  parseExecutionInput,
  parseJsonText,
  parseWith,
  planAssembly,
  recordOf,
  type UserParameters,
  UserParametersSchema,
} from '@cfn-safe-deploy/state-payloads';
import { cleanUpAbandonedChangeSet, describeCleanUp } from './abandoned-change-set.js';
import { answerForExecution, endedWithoutOutcome, fit, type JobAnswer, MAX_SUMMARY } from './answer.js';
import { describeAwsError, isAwsError, isTransient } from './aws-errors.js';
import { readTriggerConfig, type TriggerEnvironment } from './config.js';
import {
  type ArtifactCredentials,
  artifactCredentialsOf,
  jobIdOf,
  type PipelineJob,
  parseJob,
} from './event.js';
import {
  type DeploymentFile,
  InputFileError,
  MAX_INPUT_FILE_BYTES,
  parseDeploymentFileText,
  readInputArtifactFile,
  readInputBucketFile,
} from './input-file.js';

/** With a cloud assembly: the stack an execution deploys (0-based) and how many there are. */
interface StackPosition {
  readonly index: number;
  readonly count: number;
  /** The digest of the job's input file and plan: a later invocation must plan the same. */
  readonly plan?: string;
}

export type TriggerLogger = typeof sharedLogger;

export interface TriggerDeps {
  readonly codePipeline: CodePipelineClient;
  readonly sfn: SFNClient;
  /**
   * Deletes the never-executed change set of an execution that ended without an outcome (stopped or
   * timed out): only DescribeChangeSet and DeleteChangeSet, on the managed stacks.
   */
  readonly cfn: CloudFormationClient;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Reads the input bucket (UserParameters `s3Bucket`) with the function's own role. */
  readonly s3: S3Client;
  /** An S3 client signed with the job's artifact credentials, for reading the input artifact. */
  readonly artifactS3: (credentials: ArtifactCredentials) => S3Client;
  /** Only the variables the Trigger reads; never the whole environment. */
  readonly env: TriggerEnvironment;
  readonly logger: TriggerLogger;
}

/** A Step Functions call failed; the message names the call and the execution or state machine. */
export class StepFunctionsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StepFunctionsError';
  }
}

/** Where the job stands while it is handled, so that a failure still names the execution. */
interface Progress {
  executionArn?: string;
}

function parseUserParameters(text: string | undefined): UserParameters {
  const raw = text?.trim() ?? '';
  if (raw.length === 0) return parseWith(UserParametersSchema, {}, 'UserParameters');
  const value = parseJsonText(
    raw,
    'UserParameters',
    '{"s3Bucket": "...", "stateMachineFile": "state_machine_input.json"}',
  );
  return parseWith(UserParametersSchema, value, 'UserParameters');
}

function inputArtifactOf(job: PipelineJob, logger: TriggerLogger): { bucket: string; key: string } {
  const [first, ...others] = job.inputArtifacts;
  if (first === undefined) {
    throw new PayloadValidationError('CodePipeline job event', [
      'data.inputArtifacts: the Deploy action has no input artifact; give it the build output (the artifact holding the template) as input',
    ]);
  }
  if (others.length > 0) {
    logger.warn('The action has several input artifacts; deploying from the first', {
      inputArtifact: first.name,
      ignored: others.map((artifact) => artifact.name),
    });
  }
  return first;
}

/** Where the Trigger reads the job's input from: what every invocation of the job carries. */
interface JobInputs {
  readonly job: PipelineJob;
  readonly parameters: UserParameters;
  readonly artifact: { readonly bucket: string; readonly key: string };
  readonly artifactS3: () => S3Client;
}

function jobInputs(job: PipelineJob, event: unknown, deps: TriggerDeps): JobInputs {
  const parameters = parseUserParameters(job.userParameters);
  const artifact = inputArtifactOf(job, deps.logger);
  let client: S3Client | undefined;
  return {
    job,
    parameters,
    artifact,
    artifactS3: () => {
      client ??= deps.artifactS3(artifactCredentialsOf(event));
      return client;
    },
  };
}

async function readDeploymentFile(inputs: JobInputs, deps: TriggerDeps): Promise<DeploymentFile> {
  const { parameters, artifact } = inputs;
  return parameters.s3Bucket === undefined
    ? parseDeploymentFileText(
        await readInputArtifactFile(inputs.artifactS3(), artifact, parameters.stateMachineFile),
        `"${parameters.stateMachineFile}" in the input artifact`,
      )
    : parseDeploymentFileText(
        await readInputBucketFile(deps.s3, parameters.s3Bucket, parameters.stateMachineFile),
        `s3://${parameters.s3Bucket}/${parameters.stateMachineFile}`,
      );
}

async function startExecution(
  job: PipelineJob,
  event: unknown,
  deps: TriggerDeps,
  progress: Progress,
): Promise<JobAnswer> {
  const inputs = jobInputs(job, event, deps);
  const deployment = await readDeploymentFile(inputs, deps);
  if (deployment.file.revisionS3Bucket !== undefined || deployment.file.revisionS3Key !== undefined) {
    deps.logger.warn('The input file names a revision; the job input artifact is deployed instead');
  }
  if (deployment.kind === 'assembly') {
    const assembly = await assemblyJob(inputs, deployment.file, deps);
    return startAssemblyStack(assembly, 0, deps, progress);
  }
  const input = parseExecutionInput({
    ...deployment.file,
    revisionS3Bucket: inputs.artifact.bucket,
    revisionS3Key: inputs.artifact.key,
  });
  return startNamedExecution(deps, progress, executionNameFor(job.id), input);
}

/**
 * Starts the execution `name` (or, on a repeated invocation, finds the one already started) and
 * answers with its continuation token; `position` is the stack's place in a cloud assembly.
 */
async function startNamedExecution(
  deps: TriggerDeps,
  progress: Progress,
  name: string,
  input: ExecutionInput,
  position?: StackPosition,
): Promise<JobAnswer> {
  const { stateMachineArn } = readTriggerConfig(deps.env);
  const expectedArn = executionArnFor(stateMachineArn, name);
  progress.executionArn = expectedArn;
  deps.logger.appendKeys({ executionArn: expectedArn });
  const stackName = `${input.environmentName}-${input.stackName}`;

  let startedArn: string | undefined;
  try {
    const started = await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    startedArn = started.executionArn ?? expectedArn;
  } catch (error) {
    if (!isAwsError(error, 'ExecutionAlreadyExists')) {
      throw new StepFunctionsError(
        `StartExecution of ${stateMachineArn} (execution name ${name}) failed: ${describeAwsError(error)}${
          isAwsError(error, 'StateMachineDoesNotExist')
            ? '. Deploy the state machine app first, or check STATE_MACHINE_ARN'
            : ''
        }`,
        { cause: error },
      );
    }
  }

  if (startedArn !== undefined) {
    progress.executionArn = startedArn;
    deps.logger.appendKeys({ executionArn: startedArn });
    deps.logger.info('Started the Deploy state machine', {
      stackName,
      ...(position === undefined ? {} : { stack: position.index + 1, of: position.count }),
    });
    const which = position === undefined ? '' : ` (stack ${position.index + 1} of ${position.count})`;
    return {
      kind: 'continue',
      executionArn: startedArn,
      continuationToken: encodeContinuationToken(startedArn, position),
      summary: fit(
        `Started the Deploy state machine for stack ${stackName}${which} (execution ${startedArn}).`,
        MAX_SUMMARY,
      ),
    };
  }

  // A repeated invocation (CodePipeline delivers at least once): the execution of this name exists
  // already. Follow it; never start a second one.
  deps.logger.warn('An execution for this job exists already; following it instead of starting another');
  return describeAndAnswer(deps, expectedArn, position);
}

/** A cloud assembly job: where it reads from, its input file, its stacks in order, and their digest. */
interface AssemblyJob {
  readonly inputs: JobInputs;
  readonly file: AssemblyInputFile;
  readonly plan: readonly AssemblyStack[];
  /**
   * A digest of the input file and the plan, carried by the continuation token: a later invocation
   * that reads another plan (the input file or the assembly changed while the job ran) stops.
   */
  readonly digest: string;
}

/** The assembly's stacks in deployment order, from manifest.json in the input artifact. */
async function assemblyJob(
  inputs: JobInputs,
  file: AssemblyInputFile,
  deps: TriggerDeps,
): Promise<AssemblyJob> {
  const manifestPath = `${file.cloudAssembly.replace(/\/+$/, '')}/manifest.json`;
  const text = await readAssemblyFile(
    inputs,
    manifestPath,
    'cloud assembly manifest',
    DEFAULT_MAX_FILE_BYTES,
  );
  const { stateMachineArn } = readTriggerConfig(deps.env);
  const [, , , region = '', account = ''] = stateMachineArn.split(':');
  const plan = planAssembly(text, file, { account, region });
  const digest = createHash('sha256').update(JSON.stringify({ file, plan })).digest('hex').slice(0, 16);
  return { inputs, file, plan, digest };
}

/** A file of the cloud assembly, from the input artifact. */
async function readAssemblyFile(
  inputs: JobInputs,
  path: string,
  what: string,
  maxBytes: number,
): Promise<string> {
  try {
    const file = await readArtifactFile(
      inputs.artifactS3(),
      { bucket: inputs.artifact.bucket, key: inputs.artifact.key, path, describedAs: what },
      { maxFileBytes: maxBytes, maxFileBytesReason: `a ${what} is read up to ${maxBytes} bytes` },
    );
    return file.body;
  } catch (error) {
    throw new InputFileError(
      `Could not read the ${what} "${path}" from the input artifact: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** The stack position a token of this job carries for stack `index`. */
function positionOf(job: AssemblyJob, index: number): StackPosition {
  return { index, count: job.plan.length, plan: job.digest };
}

/**
 * Starts the execution of the assembly's stack `index`: named `<stack's assembly name minus the
 * environment prefix>`, its template in the artifact, `environmentName` and the input's parameters
 * passed only where the template declares them. When the execution exists already and has ended (a
 * repeated invocation), goes on from its answer as a continuation would.
 */
async function startAssemblyStack(
  job: AssemblyJob,
  index: number,
  deps: TriggerDeps,
  progress: Progress,
): Promise<JobAnswer> {
  const { file, plan, inputs } = job;
  const stack = plan[index];
  if (stack === undefined) throw new Error(`Bug: no stack ${index} in a plan of ${plan.length}`);
  const template = await readAssemblyFile(
    inputs,
    stack.templatePath,
    `template of stack ${stack.artifactId}`,
    MAX_TEMPLATE_BYTES,
  );
  const declared = new Set(declaredParameters(template, stack.templatePath));
  const parameters = Object.fromEntries(
    Object.entries({ ...file.parameters, environmentName: file.environmentName }).filter(([key]) =>
      declared.has(key),
    ),
  );
  const assetManifests = index === 0 ? [...new Set(plan.flatMap((each) => each.assetManifests))] : [];
  const input = parseExecutionInput({
    environmentName: file.environmentName,
    stackName: stack.stackName.slice(file.environmentName.length + 1),
    templatePath: stack.templatePath,
    ...(Object.keys(parameters).length === 0 ? {} : { parameters }),
    ...(file.capabilities === undefined ? {} : { capabilities: file.capabilities }),
    ...(file.tags === undefined ? {} : { tags: file.tags }),
    onUnsafeChange: file.onUnsafeChange,
    ...(file.policy === undefined ? {} : { policy: file.policy }),
    ...(assetManifests.length === 0 ? {} : { assetManifests }),
    revisionS3Bucket: inputs.artifact.bucket,
    revisionS3Key: inputs.artifact.key,
  });
  const size = Buffer.byteLength(JSON.stringify(input));
  if (size > MAX_INPUT_FILE_BYTES) {
    throw new InputFileError(
      `The execution input of stack ${stack.stackName} would be ${size} bytes; Step Functions accepts at most ${MAX_INPUT_FILE_BYTES}: shorten the input file (its policy, parameters or tags)${assetManifests.length > 0 ? ` or the ${assetManifests.length} asset manifests` : ''}`,
    );
  }
  const position = positionOf(job, index);
  const answer = await startNamedExecution(
    deps,
    progress,
    executionNameFor(inputs.job.id, index),
    input,
    position,
  );
  if (answer.kind === 'continue') return answer;
  // A repeated invocation found this stack's execution ended: go on from it (never stop at it),
  // checking it deployed what the plan has here.
  const described = await describeExecution(deps, answer.executionArn ?? '', position);
  if (described.answer.kind === 'continue') return described.answer;
  return afterStack(job, index, { answer: described.answer, input: described.input }, deps, progress);
}

/** The stack (`<environmentName>-<stackName>`) an execution input names, if it is one. */
function deployedBy(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  try {
    const value = recordOf(JSON.parse(input));
    const { environmentName, stackName } = value ?? {};
    if (typeof environmentName !== 'string' || typeof stackName !== 'string') return undefined;
    return `${environmentName}-${stackName}`;
  } catch {
    return undefined;
  }
}

/** Why an execution of the job is not the one the plan has at `index`, or nothing when it is. */
function notThePlanned(
  job: AssemblyJob,
  index: number,
  executionArn: string,
  input: string | undefined,
): string | undefined {
  const planned = job.plan[index];
  const deployed = deployedBy(input);
  if (planned === undefined) return `the job's plan has no stack ${index + 1}`;
  if (deployed === undefined) {
    return `the input of execution ${executionArn} cannot be read, so it is not known which stack it deployed`;
  }
  if (deployed === planned.stackName) return undefined;
  return `execution ${executionArn} deployed ${deployed}, but the job's plan has ${planned.stackName} as stack ${index + 1}`;
}

function changedWhileRunning(reason: string, executionArn: string): JobAnswer {
  return {
    kind: 'failed',
    executionArn,
    message: fit(
      `The cloud assembly deployment stopped: ${reason}. The input file or the assembly changed while the job ran, or an execution of this job was started otherwise; run the pipeline again.`,
      MAX_PIPELINE_MESSAGE,
    ),
  };
}

/**
 * A stack of a cloud assembly has its answer: the next stack starts when it succeeded; the job fails
 * when it did not, naming the stack and the stacks not attempted; after the last, the job succeeds
 * with every stack's outcome, each checked to be the planned stack.
 */
async function afterStack(
  job: AssemblyJob,
  index: number,
  described: {
    readonly answer: Exclude<JobAnswer, { kind: 'continue' }>;
    readonly input?: string | undefined;
  },
  deps: TriggerDeps,
  progress: Progress,
): Promise<JobAnswer> {
  const { answer } = described;
  const executionArn = answer.executionArn ?? '';
  const mismatch = notThePlanned(job, index, executionArn, described.input);
  if (mismatch !== undefined) return changedWhileRunning(mismatch, executionArn);
  const names = job.plan.map((stack) => stack.stackName);
  const current = names[index] ?? '?';
  const which = `Stack ${current} (${index + 1} of ${names.length})`;
  if (answer.kind === 'failed') {
    const rest = names.slice(index + 1);
    const notAttempted = rest.length === 0 ? '' : ` Not attempted, left as they were: ${rest.join(', ')}.`;
    const done = names.slice(0, index);
    const before = done.length === 0 ? '' : ` Deployed before it: ${done.join(', ')}.`;
    return {
      ...answer,
      message: fit(`${which}: ${answer.message}${notAttempted}${before}`, MAX_PIPELINE_MESSAGE),
    };
  }
  if (index + 1 < names.length) {
    deps.logger.info('A stack of the assembly is deployed; starting the next', { stackName: current });
    try {
      return await startAssemblyStack(job, index + 1, deps, progress);
    } catch (error) {
      if (!isTransient(error) && !isTransient((error as { cause?: unknown }).cause)) throw error;
      // The stack before is deployed; starting the next one is tried again at the next invocation.
      deps.logger.warn('Could not start the next stack this time; trying again at the next invocation', {
        error: describeAwsError((error as { cause?: unknown }).cause ?? error),
      });
      progress.executionArn = executionArn;
      return {
        kind: 'continue',
        executionArn,
        continuationToken: encodeContinuationToken(executionArn, positionOf(job, index)),
        summary: fit(
          `${which} is deployed; could not start ${names[index + 1]} this time, trying again.`,
          MAX_SUMMARY,
        ),
      };
    }
  }
  const { stateMachineArn } = readTriggerConfig(deps.env);
  const outcomes: string[] = [];
  for (const [at, stack] of job.plan.entries()) {
    if (at === index) {
      outcomes.push(`${stack.stackName}: ${answer.summary}`);
      continue;
    }
    const arn = executionArnFor(stateMachineArn, executionNameFor(job.inputs.job.id, at));
    const earlier = await describeExecution(deps, arn);
    const wrong = notThePlanned(job, at, arn, earlier.input);
    if (wrong !== undefined) return changedWhileRunning(wrong, executionArn);
    if (earlier.answer.kind !== 'succeeded') {
      return changedWhileRunning(
        `stack ${at + 1}, ${stack.stackName}, has not succeeded (execution ${arn})`,
        executionArn,
      );
    }
    outcomes.push(`${stack.stackName}: ${earlier.answer.summary}`);
  }
  return {
    ...answer,
    summary: fit(
      `All ${job.plan.length} stacks of ${job.file.cloudAssembly} deployed. ${outcomes.join(' ')}`,
      MAX_SUMMARY,
    ),
    outputVariables: { ...answer.outputVariables, stacks: names.join(',') },
  };
}

async function describeAndAnswer(
  deps: TriggerDeps,
  executionArn: string,
  position?: StackPosition,
): Promise<JobAnswer> {
  return (await describeExecution(deps, executionArn, position)).answer;
}

/** The answer for an execution, and the input it was started with (when DescribeExecution said). */
async function describeExecution(
  deps: TriggerDeps,
  executionArn: string,
  position?: StackPosition,
): Promise<{ answer: JobAnswer; input?: string }> {
  const continuationToken = encodeContinuationToken(executionArn, position);
  let described: DescribeExecutionCommandOutput;
  try {
    described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (isTransient(error)) {
      // The execution runs on whatever happens here: ask again at the next continuation.
      deps.logger.warn('DescribeExecution failed transiently; checking again at the next invocation', {
        error: describeAwsError(error),
      });
      return {
        answer: {
          kind: 'continue',
          executionArn,
          continuationToken,
          summary: fit(`Could not check execution ${executionArn} this time; checking again.`, MAX_SUMMARY),
        },
      };
    }
    throw new StepFunctionsError(`DescribeExecution of ${executionArn} failed: ${describeAwsError(error)}`, {
      cause: error,
    });
  }
  const execution = {
    executionArn,
    status: described.status ?? 'UNKNOWN',
    output: described.output,
    error: described.error,
    cause: described.cause,
    stopDate: described.stopDate,
  };
  const answer = answerForExecution(execution, continuationToken);
  deps.logger.info('Checked the Deploy state machine execution', {
    status: described.status,
    answer: answer.kind,
  });
  const input = described.input;
  const withInput = (result: JobAnswer) => ({ answer: result, ...(input === undefined ? {} : { input }) });
  if (answer.kind !== 'failed' || !endedWithoutOutcome(execution)) return withInput(answer);

  // The execution ended before its own clean-up could run: a change set it created may be left
  // AVAILABLE, executable later without the policy's verdict. Delete it before failing the job.
  const cleanUp = await cleanUpAbandonedChangeSet(
    deps.cfn,
    { executionArn, input: described.input, stopDate: described.stopDate },
    deps.now?.() ?? new Date(),
  );
  deps.logger.info('Looked for a change set the execution left', { cleanUp: cleanUp.kind });
  if (cleanUp.kind === 'pending') {
    return withInput({
      kind: 'continue',
      executionArn,
      continuationToken,
      summary: fit(
        `The Deploy state machine execution ended without an outcome (${execution.status}). ${describeCleanUp(cleanUp)}`,
        MAX_SUMMARY,
      ),
    });
  }
  const note = describeCleanUp(cleanUp);
  return withInput(
    note.length === 0
      ? answer
      : { ...answer, message: fit(`${answer.message} ${note}`, MAX_PIPELINE_MESSAGE) },
  );
}

async function continueExecution(
  job: PipelineJob,
  event: unknown,
  deps: TriggerDeps,
  progress: Progress,
): Promise<JobAnswer> {
  const { executionArn, stack: position } = decodeContinuationToken(job.continuationToken ?? '');
  // The token comes back through CodePipeline; it may name only an execution of this Trigger's state
  // machine (the function role may describe no other either). Without STATE_MACHINE_ARN, follow it.
  if (deps.env.STATE_MACHINE_ARN?.trim()) {
    const { stateMachineArn } = readTriggerConfig(deps.env);
    const prefix = executionArnFor(stateMachineArn, '');
    if (!executionArn.startsWith(prefix)) {
      throw new PayloadValidationError('continuation token', [
        `executionArn: "${executionArn}" is not an execution of the state machine ${stateMachineArn} (STATE_MACHINE_ARN); this Trigger follows only its own executions`,
      ]);
    }
  }
  progress.executionArn = executionArn;
  deps.logger.appendKeys({ executionArn });
  if (position === undefined) return describeAndAnswer(deps, executionArn);
  const inputs = jobInputs(job, event, deps);
  const deployment = await readDeploymentFile(inputs, deps);
  if (deployment.kind !== 'assembly') {
    return changedWhileRunning(
      'the token follows a stack of a cloud assembly, but the input file names one template',
      executionArn,
    );
  }
  const assembly = await assemblyJob(inputs, deployment.file, deps);
  if (
    assembly.plan.length !== position.count ||
    (position.plan !== undefined && position.plan !== assembly.digest)
  ) {
    return changedWhileRunning(
      `the token follows stack ${position.index + 1} of ${position.count}, but the input file and the assembly ${deployment.file.cloudAssembly} now plan ${assembly.plan.length} stacks${position.plan !== undefined && position.plan !== assembly.digest ? ' otherwise' : ''}`,
      executionArn,
    );
  }
  const described = await describeExecution(deps, executionArn, positionOf(assembly, position.index));
  if (described.answer.kind === 'continue') return described.answer;
  return afterStack(
    assembly,
    position.index,
    { answer: described.answer, input: described.input },
    deps,
    progress,
  );
}

function failureMessage(error: unknown, continuing: boolean): string {
  const what = continuing
    ? 'The Trigger could not follow the deployment'
    : 'The Trigger could not start the deployment';
  const reason = error instanceof Error ? error.message : String(error);
  return fit(`${what}: ${reason}`, MAX_PIPELINE_MESSAGE);
}

/** Decides the answer; never throws: every problem becomes a failure answer naming it. */
async function decide(event: unknown, deps: TriggerDeps, progress: Progress): Promise<JobAnswer> {
  let continuing = false;
  try {
    const job = parseJob(event);
    continuing = job.continuationToken !== undefined;
    return continuing
      ? await continueExecution(job, event, deps, progress)
      : await startExecution(job, event, deps, progress);
  } catch (error) {
    deps.logger.error('The deployment step failed; failing the job', { error: errorSummary(error) });
    return {
      kind: 'failed',
      ...(progress.executionArn === undefined ? {} : { executionArn: progress.executionArn }),
      message: failureMessage(error, continuing),
    };
  }
}

/** What is logged of an error: its name and message, never its cause chain (SDK responses, inputs). */
function errorSummary(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

async function send(jobId: string, answer: JobAnswer, deps: TriggerDeps): Promise<void> {
  switch (answer.kind) {
    case 'continue':
      await deps.codePipeline.send(
        new PutJobSuccessResultCommand({
          jobId,
          continuationToken: answer.continuationToken,
          executionDetails: { summary: answer.summary, externalExecutionId: answer.executionArn },
        }),
      );
      return;
    case 'succeeded':
      await deps.codePipeline.send(
        new PutJobSuccessResultCommand({
          jobId,
          executionDetails: {
            summary: answer.summary,
            externalExecutionId: answer.executionArn,
            percentComplete: 100,
          },
          outputVariables: { ...answer.outputVariables },
        }),
      );
      return;
    case 'failed':
      await deps.codePipeline.send(
        new PutJobFailureResultCommand({
          jobId,
          failureDetails: {
            type: 'JobFailed',
            message: answer.message,
            ...(answer.executionArn === undefined ? {} : { externalExecutionId: answer.executionArn }),
          },
        }),
      );
      return;
  }
}

/**
 * Handles one invocation of the pipeline's Deploy action: the first starts the Deploy state
 * machine (or finds the execution a repeated invocation started), later ones follow it through the
 * continuation token. Every path answers the job. Throws only when the event names no job (there
 * is nothing to answer) or when answering the job itself failed (logged first), so that Lambda's
 * retry gets another chance to answer.
 */
export async function handleJob(event: unknown, deps: TriggerDeps): Promise<JobAnswer> {
  const { logger } = deps;
  let jobId: string;
  try {
    jobId = jobIdOf(event);
  } catch (error) {
    logger.error('Received an event that is not a CodePipeline job', { error: errorSummary(error) });
    throw error;
  }
  logger.appendKeys({ jobId });
  try {
    const progress: Progress = {};
    const answer = await decide(event, deps, progress);
    try {
      await send(jobId, answer, deps);
    } catch (error) {
      logger.error('Could not answer the CodePipeline job', {
        answer: answer.kind,
        error: errorSummary(error),
      });
      throw error;
    }
    logger.info('Answered the CodePipeline job', {
      answer: answer.kind,
      ...(answer.kind === 'failed' ? { failure: answer.message } : { summary: answer.summary }),
    });
    return answer;
  } finally {
    logger.removeKeys(['jobId', 'executionArn']);
  }
}
