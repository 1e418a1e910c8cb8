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
 * Fixed credentials, such as the `artifactCredentials` CodePipeline hands a job for its artifact
 * store. Secrets: never log them.
 */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3ClientOptions {
  /** Where AWS_S3_FORCE_PATH_STYLE and the endpoint variables are read. @default process.env */
  readonly env?: Env;
  /** Sign with these instead of the default provider chain (the Lambda role). @default - the role */
  readonly credentials?: StaticCredentials;
  /** The region of the client. @default - the environment's (AWS_REGION) */
  readonly region?: string;
}

/**
 * An S3 client. Path-style addressing when AWS_S3_FORCE_PATH_STYLE=true or when a custom S3
 * endpoint is configured (emulators such as moto serve buckets by path). With `credentials` it
 * signs with them (e.g. a CodePipeline job's artifact credentials); region and endpoint still come
 * from the environment.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const env = options.env ?? process.env;
  const customEndpoint = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
  const forcePathStyle = env.AWS_S3_FORCE_PATH_STYLE === 'true' || customEndpoint;
  const { credentials } = options;
  return new S3Client({
    forcePathStyle,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(credentials === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: credentials.accessKeyId,
            secretAccessKey: credentials.secretAccessKey,
            ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
          },
        }),
  });
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
