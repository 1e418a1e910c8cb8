import type { JobResult, LocalJobs } from './codepipeline.js';
import { ACCOUNT, ARTIFACT_BUCKET, FAKE_CREDENTIALS, INPUT_BUCKET } from './constants.js';

/** One CodePipeline job of the Deploy action: its id and where its artifact and input file are. */
export interface PipelineJob {
  readonly jobId: string;
  /** The source artifact (a zip) in ARTIFACT_BUCKET. */
  readonly artifactKey: string;
  /** The state machine input file in INPUT_BUCKET. */
  readonly inputKey: string;
}

/** The event CodePipeline sends a Lambda invoke action (with the token of the previous answer, if any). */
export function jobEvent(job: PipelineJob, continuationToken: string | undefined): unknown {
  return {
    'CodePipeline.job': {
      id: job.jobId,
      accountId: ACCOUNT,
      data: {
        actionConfiguration: {
          configuration: {
            FunctionName: 'trigger',
            UserParameters: JSON.stringify({ s3Bucket: INPUT_BUCKET, stateMachineFile: job.inputKey }),
          },
        },
        inputArtifacts: [
          {
            name: 'SourceArtifact',
            revision: null,
            location: { type: 'S3', s3Location: { bucketName: ARTIFACT_BUCKET, objectKey: job.artifactKey } },
          },
        ],
        outputArtifacts: [],
        artifactCredentials: { ...FAKE_CREDENTIALS },
        ...(continuationToken === undefined ? {} : { continuationToken }),
      },
    },
  };
}

export interface PipelineActionOptions {
  /** Invokes the Trigger function with an event (throws as Lambda reports a function error). */
  readonly invokeTrigger: (event: unknown) => Promise<unknown>;
  readonly jobs: LocalJobs;
  /** Waits before the next invocation after a continuation answer (CodePipeline's interval, or less). */
  readonly beforeContinuation: (answer: Extract<JobResult, { kind: 'success' }>) => Promise<void>;
  readonly log: (line: string) => void;
  /** The emulator's clock (ms since the epoch). @default Date.now */
  readonly now?: () => number;
}

/** How a job ended, and how often the Trigger was invoked for it. */
export interface PipelineActionResult {
  readonly final: JobResult;
  readonly invocations: number;
  /** When the invocation that answered the job for good returned (ms since the epoch, on `now`). */
  readonly answeredAt: number;
}

/**
 * What CodePipeline does for one job of a Lambda invoke action: invoke the function, and again
 * with each continuation token, until it answers the job for good. An invocation that throws is
 * retried twice, as Lambda retries an asynchronous invocation; a function that returns without
 * answering fails the job (CodePipeline would wait until the action times out).
 */
export async function runPipelineAction(
  job: PipelineJob,
  options: PipelineActionOptions,
): Promise<PipelineActionResult> {
  const { jobs } = options;
  const now = options.now ?? Date.now;
  jobs.register(job.jobId);
  let continuationToken: string | undefined;
  let invocations = 0;
  let lambdaErrors = 0;
  for (;;) {
    invocations += 1;
    try {
      await options.invokeTrigger(jobEvent(job, continuationToken));
    } catch (error) {
      lambdaErrors += 1;
      const message = error instanceof Error ? error.message : String(error);
      options.log(`trigger invocation ${invocations} failed: ${message}`);
      if (lambdaErrors > 2) {
        return {
          invocations,
          answeredAt: now(),
          final: {
            kind: 'failure',
            type: 'JobFailed',
            message: `The Trigger Lambda failed ${lambdaErrors} times without answering the job (CodePipeline would wait until the action times out): ${message}`,
          },
        };
      }
      continue;
    }
    const last = jobs.take(job.jobId).at(-1);
    if (last === undefined) {
      return {
        invocations,
        answeredAt: now(),
        final: {
          kind: 'failure',
          type: 'JobFailed',
          message:
            'The Trigger Lambda returned without answering the job (CodePipeline would wait until the action times out).',
        },
      };
    }
    if (last.kind === 'failure' || last.continuationToken === undefined) {
      return { invocations, answeredAt: now(), final: last };
    }
    continuationToken = last.continuationToken;
    await options.beforeContinuation(last);
  }
}
