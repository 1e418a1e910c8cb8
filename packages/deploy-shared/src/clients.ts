import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A CloudFormation client. Region, credentials and AWS_ENDPOINT_URL_CLOUDFORMATION come from the
 * environment through the SDK itself; retries are the SDK's default (standard mode, 3 attempts).
 */
export function createCloudFormationClient(): CloudFormationClient {
  return new CloudFormationClient({});
}

/**
 * An S3 client. Path-style addressing when AWS_S3_FORCE_PATH_STYLE=true or when a custom S3
 * endpoint is configured (emulators such as moto serve buckets by path).
 */
export function createS3Client(env: Env = process.env): S3Client {
  const customEndpoint = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  const forcePathStyle = env.AWS_S3_FORCE_PATH_STYLE === 'true' || customEndpoint;
  return new S3Client({ forcePathStyle });
}

let cloudFormation: CloudFormationClient | undefined;
let s3: S3Client | undefined;

/** The CloudFormation client of this Lambda environment, created on first use and then reused. */
export function cloudFormationClient(): CloudFormationClient {
  cloudFormation ??= createCloudFormationClient();
  return cloudFormation;
}

/** The S3 client of this Lambda environment, created on first use and then reused. */
export function s3Client(): S3Client {
  s3 ??= createS3Client();
  return s3;
}
