import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';

export const TEST_REGION = 'us-east-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };

/** Environment variables that point the AWS SDK (and code that reads them) at an emulator, with fake credentials. */
export function awsTestEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_REGION: TEST_REGION,
    AWS_DEFAULT_REGION: TEST_REGION,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_S3_FORCE_PATH_STYLE: 'true',
  };
}

/** A CloudFormation client for the emulator at `endpoint`. */
export function cloudFormationFor(endpoint: string): CloudFormationClient {
  return new CloudFormationClient({ endpoint, region: TEST_REGION, credentials });
}

/** An S3 client (path-style) for the emulator at `endpoint`. */
export function s3For(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: TEST_REGION, credentials, forcePathStyle: true });
}
