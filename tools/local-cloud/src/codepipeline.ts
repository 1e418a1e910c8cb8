/** An error of the CodePipeline API: `code` is the `__type` of the JSON error body. */
export class CodePipelineApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CodePipelineApiError';
  }
}

/** One answer a job received (PutJobSuccessResult or PutJobFailureResult), as the SDK sends it. */
export type JobResult =
  | {
      readonly kind: 'success';
      readonly continuationToken?: string;
      readonly summary?: string;
      readonly externalExecutionId?: string;
      readonly outputVariables?: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'failure';
      readonly type: string;
      readonly message: string;
      readonly externalExecutionId?: string;
    };

interface Job {
  /** Answers not yet taken by the pipeline (the CLI). */
  readonly pending: JobResult[];
  finished: boolean;
}

/** CodePipeline's quotas the emulator checks, as AWS does. */
export const MAX_CONTINUATION_TOKEN = 2048;
export const MAX_FAILURE_MESSAGE = 5000;
export const MAX_SUMMARY = 2048;

/**
 * The jobs of the emulated pipeline action. The CLI registers a job before invoking the Trigger;
 * the function answers it through PutJobSuccessResult / PutJobFailureResult (the JSON endpoint).
 */
export class LocalJobs {
  private readonly jobs = new Map<string, Job>();

  register(jobId: string): void {
    this.jobs.set(jobId, { pending: [], finished: false });
  }

  /** The answers given since the last call, oldest first. */
  take(jobId: string): JobResult[] {
    const job = this.jobs.get(jobId);
    if (job === undefined) return [];
    return job.pending.splice(0, job.pending.length);
  }

  private open(jobId: string | undefined): Job {
    const job = this.jobs.get(jobId ?? '');
    if (job === undefined)
      throw new CodePipelineApiError('JobNotFoundException', `Job ${jobId ?? '(none)'} was not found`);
    if (job.finished) {
      throw new CodePipelineApiError(
        'InvalidJobStateException',
        `Job ${jobId} has already been completed and cannot be updated`,
      );
    }
    return job;
  }

  putJobSuccessResult(request: {
    jobId?: string;
    continuationToken?: string;
    executionDetails?: { summary?: string; externalExecutionId?: string };
    outputVariables?: Record<string, string>;
  }): void {
    const job = this.open(request.jobId);
    const token = request.continuationToken;
    if (token !== undefined && (token.length < 1 || token.length > MAX_CONTINUATION_TOKEN)) {
      throw new CodePipelineApiError(
        'ValidationException',
        `continuationToken must be 1 to ${MAX_CONTINUATION_TOKEN} characters (got ${token.length})`,
      );
    }
    if (token !== undefined && request.outputVariables !== undefined) {
      throw new CodePipelineApiError(
        'OutputVariablesSizeExceededException',
        'outputVariables are allowed only on the final success (without a continuationToken)',
      );
    }
    const summary = request.executionDetails?.summary;
    if (summary !== undefined && summary.length > MAX_SUMMARY) {
      throw new CodePipelineApiError(
        'ValidationException',
        `executionDetails.summary is longer than ${MAX_SUMMARY} characters`,
      );
    }
    if (token === undefined) job.finished = true;
    job.pending.push({
      kind: 'success',
      ...(token === undefined ? {} : { continuationToken: token }),
      ...(summary === undefined ? {} : { summary }),
      ...(request.executionDetails?.externalExecutionId === undefined
        ? {}
        : { externalExecutionId: request.executionDetails.externalExecutionId }),
      ...(request.outputVariables === undefined ? {} : { outputVariables: request.outputVariables }),
    });
  }

  putJobFailureResult(request: {
    jobId?: string;
    failureDetails?: { type?: string; message?: string; externalExecutionId?: string };
  }): void {
    const job = this.open(request.jobId);
    const details = request.failureDetails;
    if (details?.type === undefined || details.message === undefined) {
      throw new CodePipelineApiError(
        'ValidationException',
        'failureDetails.type and failureDetails.message are required',
      );
    }
    if (details.message.length > MAX_FAILURE_MESSAGE) {
      throw new CodePipelineApiError(
        'ValidationException',
        `failureDetails.message is longer than ${MAX_FAILURE_MESSAGE} characters`,
      );
    }
    job.finished = true;
    job.pending.push({
      kind: 'failure',
      type: details.type,
      message: details.message,
      ...(details.externalExecutionId === undefined
        ? {}
        : { externalExecutionId: details.externalExecutionId }),
    });
  }
}
