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
import type { logger as sharedLogger } from '@cfn-safe-deploy/deploy-shared';
import {
  decodeContinuationToken,
  encodeContinuationToken,
  executionArnFor,
  executionNameFor,
  MAX_PIPELINE_MESSAGE,
  PayloadValidationError,
  parseExecutionInput,
  parseJsonText,
  parseWith,
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
import { parseInputFileText, readInputArtifactFile, readInputBucketFile } from './input-file.js';

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

async function startExecution(
  job: PipelineJob,
  event: unknown,
  deps: TriggerDeps,
  progress: Progress,
): Promise<JobAnswer> {
  const { stateMachineArn } = readTriggerConfig(deps.env);
  const parameters = parseUserParameters(job.userParameters);
  const artifact = inputArtifactOf(job, deps.logger);

  const file =
    parameters.s3Bucket === undefined
      ? parseInputFileText(
          await readInputArtifactFile(
            deps.artifactS3(artifactCredentialsOf(event)),
            artifact,
            parameters.stateMachineFile,
          ),
          `"${parameters.stateMachineFile}" in the input artifact`,
        )
      : parseInputFileText(
          await readInputBucketFile(deps.s3, parameters.s3Bucket, parameters.stateMachineFile),
          `s3://${parameters.s3Bucket}/${parameters.stateMachineFile}`,
        );
  if (file.revisionS3Bucket !== undefined || file.revisionS3Key !== undefined) {
    deps.logger.warn('The input file names a revision; the job input artifact is deployed instead');
  }
  const input = parseExecutionInput({
    ...file,
    revisionS3Bucket: artifact.bucket,
    revisionS3Key: artifact.key,
  });

  const name = executionNameFor(job.id);
  const expectedArn = executionArnFor(stateMachineArn, name);
  progress.executionArn = expectedArn;
  deps.logger.appendKeys({ executionArn: expectedArn });

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
      stackName: `${input.environmentName}-${input.stackName}`,
    });
    return {
      kind: 'continue',
      executionArn: startedArn,
      continuationToken: encodeContinuationToken(startedArn),
      summary: fit(
        `Started the Deploy state machine for stack ${input.environmentName}-${input.stackName} (execution ${startedArn}).`,
        MAX_SUMMARY,
      ),
    };
  }

  // A repeated first invocation of this job (CodePipeline delivers at least once): the execution of
  // this name exists already. Follow it; never start a second one.
  deps.logger.warn('An execution for this job exists already; following it instead of starting another');
  return describeAndAnswer(deps, expectedArn);
}

async function describeAndAnswer(deps: TriggerDeps, executionArn: string): Promise<JobAnswer> {
  const continuationToken = encodeContinuationToken(executionArn);
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
        kind: 'continue',
        executionArn,
        continuationToken,
        summary: fit(`Could not check execution ${executionArn} this time; checking again.`, MAX_SUMMARY),
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
  if (answer.kind !== 'failed' || !endedWithoutOutcome(execution)) return answer;

  // The execution ended before its own clean-up could run: a change set it created may be left
  // AVAILABLE, executable later without the policy's verdict. Delete it before failing the job.
  const cleanUp = await cleanUpAbandonedChangeSet(
    deps.cfn,
    { executionArn, input: described.input, stopDate: described.stopDate },
    deps.now?.() ?? new Date(),
  );
  deps.logger.info('Looked for a change set the execution left', { cleanUp: cleanUp.kind });
  if (cleanUp.kind === 'pending') {
    return {
      kind: 'continue',
      executionArn,
      continuationToken,
      summary: fit(
        `The Deploy state machine execution ended without an outcome (${execution.status}). ${describeCleanUp(cleanUp)}`,
        MAX_SUMMARY,
      ),
    };
  }
  const note = describeCleanUp(cleanUp);
  return note.length === 0
    ? answer
    : { ...answer, message: fit(`${answer.message} ${note}`, MAX_PIPELINE_MESSAGE) };
}

async function continueExecution(
  job: PipelineJob,
  deps: TriggerDeps,
  progress: Progress,
): Promise<JobAnswer> {
  const { executionArn } = decodeContinuationToken(job.continuationToken ?? '');
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
  return describeAndAnswer(deps, executionArn);
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
      ? await continueExecution(job, deps, progress)
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
