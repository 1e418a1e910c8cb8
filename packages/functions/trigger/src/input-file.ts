import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { readArtifactFile } from '@cfn-safe-deploy/deploy-shared';
import {
  type AssemblyInputFile,
  type InputFile,
  namesCloudAssembly,
  parseAssemblyInputFile,
  parseInputFile,
  parseJsonText,
} from '@cfn-safe-deploy/state-payloads';
import { describeAwsError } from './aws-errors.js';

/** Step Functions accepts execution input of at most 256 KiB; a larger input file can never start. */
export const MAX_INPUT_FILE_BYTES = 256 * 1024;

/** The state machine input file could not be read or is not JSON. */
export class InputFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InputFileError';
  }
}

function tooBig(where: string, size: number): InputFileError {
  return new InputFileError(
    `The state machine input file ${where} is ${size} bytes; Step Functions accepts execution input of at most ${MAX_INPUT_FILE_BYTES} bytes`,
  );
}

/** Reads `s3://bucket/key` (the blog's input bucket) with the function's own role. */
export async function readInputBucketFile(s3: S3Client, bucket: string, key: string): Promise<string> {
  const where = `s3://${bucket}/${key}`;
  let bytes: Uint8Array;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (response.ContentLength !== undefined && response.ContentLength > MAX_INPUT_FILE_BYTES) {
      throw tooBig(where, response.ContentLength);
    }
    if (response.Body === undefined) throw new InputFileError(`S3 returned no body for ${where}`);
    bytes = await response.Body.transformToByteArray();
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw new InputFileError(
      `Could not read the state machine input file ${where} (UserParameters s3Bucket/stateMachineFile): ${describeAwsError(error)}`,
      { cause: error },
    );
  }
  if (bytes.byteLength > MAX_INPUT_FILE_BYTES) throw tooBig(where, bytes.byteLength);
  // Fatal: bytes that are not UTF-8 would otherwise become U+FFFD silently and be deployed as such
  // (the input artifact's reader refuses them the same way).
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new InputFileError(`The state machine input file ${where} is not UTF-8 text`, { cause: error });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads `path` from the job's input artifact (a zip in the pipeline's artifact store) with an S3
 * client signed with the job's artifact credentials. The archive handling (size limits, zip-slip,
 * UTF-8) is deploy-shared's `readArtifactFile`, here with Step Functions' input limit.
 */
export async function readInputArtifactFile(
  artifactS3: S3Client,
  artifact: { readonly bucket: string; readonly key: string },
  path: string,
): Promise<string> {
  try {
    const file = await readArtifactFile(
      artifactS3,
      { bucket: artifact.bucket, key: artifact.key, path },
      {
        maxFileBytes: MAX_INPUT_FILE_BYTES,
        maxFileBytesReason: `Step Functions accepts execution input of at most ${MAX_INPUT_FILE_BYTES} bytes`,
      },
    );
    return file.body;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputFileError(
      `Could not read the state machine input file "${path}" from the input artifact (UserParameters has no s3Bucket, so the file is read from the artifact): ${reason}`,
      { cause: error },
    );
  }
}

/** The input file: one template, or a cloud assembly. */
export type DeploymentFile =
  | { readonly kind: 'template'; readonly file: InputFile }
  | { readonly kind: 'assembly'; readonly file: AssemblyInputFile };

/** Parses the file's text as JSON (each key once): one template, or a cloud assembly (`cloudAssembly`). */
export function parseDeploymentFileText(text: string, where: string): DeploymentFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputFileError(
      `The state machine input file ${where} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  // JSON.parse keeps the last of two equal keys silently: a second "stackName" or "onUnsafeChange"
  // must not change the deployment unseen. parseJsonText names the key written twice.
  parseJsonText(text, `The state machine input file ${where}`);
  const source = `The state machine input file ${where}`;
  return namesCloudAssembly(value)
    ? { kind: 'assembly', file: parseAssemblyInputFile(value, source) }
    : { kind: 'template', file: parseInputFile(value, source) };
}
