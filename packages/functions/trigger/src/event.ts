import type { StaticCredentials } from '@cfn-safe-deploy/deploy-shared';
import { PayloadValidationError, parseWith, recordOf } from '@cfn-safe-deploy/state-payloads';
import * as z from 'zod/mini';

/**
 * The parts of a CodePipeline Lambda invoke event this function reads. `artifactCredentials` is
 * left out on purpose: it is read apart by `artifactCredentialsOf`, whose errors never echo values.
 */
const S3LocationSchema = z.object({
  bucketName: z.string().check(z.minLength(1, 'must be an S3 bucket name')),
  objectKey: z.string().check(z.minLength(1, 'must be an S3 object key')),
});

const InputArtifactSchema = z.object({
  name: z.optional(z.string()),
  location: z.object({ type: z.optional(z.string()), s3Location: S3LocationSchema }),
});

const JobSchema = z.object({
  id: z.string().check(z.minLength(1)),
  data: z.object({
    actionConfiguration: z.optional(
      z.object({
        configuration: z.optional(z.object({ UserParameters: z.optional(z.string()) })),
      }),
    ),
    inputArtifacts: z._default(z.array(InputArtifactSchema), []),
    continuationToken: z.optional(z.string()),
  }),
});

const EventSchema = z.object({ 'CodePipeline.job': JobSchema });

export interface PipelineJob {
  readonly id: string;
  /** The action's UserParameters string, when the action has one. */
  readonly userParameters: string | undefined;
  readonly inputArtifacts: ReadonlyArray<{
    readonly name?: string;
    readonly bucket: string;
    readonly key: string;
  }>;
  /** Set when CodePipeline invokes the function again after a PutJobSuccessResult with a token. */
  readonly continuationToken: string | undefined;
}

/** The temporary credentials CodePipeline hands the action for its artifacts. Never log them. */
export type ArtifactCredentials = StaticCredentials;

/** The event is not a CodePipeline job at all: there is no job id to answer. */
export class NotAPipelineJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAPipelineJobError';
  }
}

/** The job id, read before anything else so that every later problem can be answered to the job. */
export function jobIdOf(event: unknown): string {
  const id = recordOf(recordOf(event)?.['CodePipeline.job'])?.id;
  if (typeof id !== 'string' || id.length === 0) {
    throw new NotAPipelineJobError(
      'The event is not a CodePipeline job: "CodePipeline.job".id is missing, so there is no job to answer',
    );
  }
  return id;
}

export function parseJob(event: unknown): PipelineJob {
  const parsed = parseWith(EventSchema, event, 'CodePipeline job event')['CodePipeline.job'];
  return {
    id: parsed.id,
    userParameters: parsed.data.actionConfiguration?.configuration?.UserParameters,
    inputArtifacts: parsed.data.inputArtifacts.map((artifact) => ({
      ...(artifact.name === undefined ? {} : { name: artifact.name }),
      bucket: artifact.location.s3Location.bucketName,
      key: artifact.location.s3Location.objectKey,
    })),
    continuationToken: parsed.data.continuationToken,
  };
}

/**
 * The job's artifact credentials. The error names the missing fields only, never a value: these
 * are secrets and error messages end up in logs and in the pipeline console.
 */
export function artifactCredentialsOf(event: unknown): ArtifactCredentials {
  const credentials = recordOf(
    recordOf(recordOf(recordOf(event)?.['CodePipeline.job'])?.data)?.artifactCredentials,
  );
  const text = (key: string): string | undefined => {
    const value = credentials?.[key];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const accessKeyId = text('accessKeyId');
  const secretAccessKey = text('secretAccessKey');
  const sessionToken = text('sessionToken');
  const missing = [
    accessKeyId === undefined ? 'accessKeyId' : undefined,
    secretAccessKey === undefined ? 'secretAccessKey' : undefined,
  ].filter((field): field is string => field !== undefined);
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new PayloadValidationError('CodePipeline job event', [
      `data.artifactCredentials: ${missing.join(' and ')} missing; the input artifact cannot be read without the job's artifact credentials`,
    ]);
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}
