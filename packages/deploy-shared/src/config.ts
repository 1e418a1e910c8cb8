import { DEFAULT_MAX_ARCHIVE_BYTES } from './artifact.js';
import { InvalidInputError } from './errors.js';

/** The functions' configuration, from their environment. */
export interface DeployConfig {
  /** CFN_EXECUTION_ROLE_ARN: the role CloudFormation assumes for stack operations. */
  readonly executionRoleArn?: string;
  /** TEMPLATE_BUCKET: where templates over 51,200 bytes are staged. */
  readonly templateBucket?: string;
  /** MAX_ARCHIVE_BYTES: the largest source artifact read into memory (default 256 MiB). */
  readonly maxArchiveBytes: number;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

type Env = Readonly<Record<string, string | undefined>>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Reads and checks the configuration; a bad value fails with a message naming the variable. */
export function readConfig(env: Env = process.env): DeployConfig {
  const problems: string[] = [];
  const executionRoleArn = optional(env, 'CFN_EXECUTION_ROLE_ARN');
  if (executionRoleArn !== undefined && !ROLE_ARN.test(executionRoleArn)) {
    problems.push(`CFN_EXECUTION_ROLE_ARN must be an IAM role ARN (got "${executionRoleArn}")`);
  }
  const templateBucket = optional(env, 'TEMPLATE_BUCKET');
  if (templateBucket !== undefined && !BUCKET.test(templateBucket)) {
    problems.push(`TEMPLATE_BUCKET must be an S3 bucket name (got "${templateBucket}")`);
  }
  const rawMax = optional(env, 'MAX_ARCHIVE_BYTES');
  const maxArchiveBytes = rawMax === undefined ? DEFAULT_MAX_ARCHIVE_BYTES : Number(rawMax);
  if (!Number.isSafeInteger(maxArchiveBytes) || maxArchiveBytes <= 0) {
    problems.push(`MAX_ARCHIVE_BYTES must be a positive whole number of bytes (got "${rawMax}")`);
  }
  if (problems.length > 0) {
    throw new InvalidInputError(`The function's environment is invalid: ${problems.join('; ')}`);
  }
  return {
    ...(executionRoleArn !== undefined ? { executionRoleArn } : {}),
    ...(templateBucket !== undefined ? { templateBucket } : {}),
    maxArchiveBytes,
  };
}
