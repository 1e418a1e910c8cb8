import { readFileSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type {
  Account,
  ClientOptions,
  IAws,
  IECRClient,
  IS3Client,
  ISecretsManagerClient,
} from '@aws-cdk/cdk-assets-lib';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createS3Client, type StaticCredentials } from '@cfn-safe-deploy/deploy-shared';

/** The largest file asset uploaded in one PutObject (S3's single-upload limit is 5 GiB; Lambda's /tmp is far smaller). */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

export interface LambdaAwsDeps {
  /** The Lambda's region (AWS_REGION). */
  readonly region: string;
  /** An STS client signed with `credentials` (the Lambda's role when undefined), in `region`. */
  readonly sts: (region: string, credentials?: StaticCredentials) => STSClient;
  /** An S3 client signed with `credentials` (the Lambda's role when undefined), in `region`. */
  readonly s3: (region: string, credentials?: StaticCredentials) => S3Client;
  /**
   * An ECR client signed with `credentials`, in `region`: only to find whether a container image
   * the build stage published is in its repository (DescribeRepositories, DescribeImages).
   */
  readonly ecr: (region: string, credentials?: StaticCredentials) => ECRClient;
}

/** Why images are not published by this Lambda (it only checks that the build stage published them). */
const IMAGES_ELSEWHERE =
  'container image assets are not published by the publish-assets Lambda (it has no Docker): the build stage must publish them; this Lambda only checks they are in ECR';

/** The partition of an ARN (`arn:PARTITION:…`). */
function partitionOf(arn: string | undefined): string {
  return arn?.split(':')[1] || 'aws';
}

async function bodyBytes(body: PutObjectCommandInput['Body']): Promise<Buffer | Uint8Array | string> {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  const stream = body as Readable & { path?: string | Buffer };
  // The library gives a file's read stream: read the file it names, bounded.
  if (stream.path !== undefined) {
    // Read from its file instead: the stream is closed unread (an open still pending must not throw later).
    stream.on('error', () => undefined);
    const path = stream.path.toString();
    const size = statSync(path).size;
    if (size > MAX_UPLOAD_BYTES) {
      stream.destroy();
      throw new Error(
        `the packaged asset ${path} is ${size} bytes, more than the ${MAX_UPLOAD_BYTES} uploaded here`,
      );
    }
    stream.destroy();
    return readFileSync(path);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    total += bytes.byteLength;
    if (total > MAX_UPLOAD_BYTES)
      throw new Error(`an asset is larger than the ${MAX_UPLOAD_BYTES} bytes uploaded here`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, total);
}

/** The four S3 calls cdk-assets-lib makes, on an SDK v3 client; `upload` is one PutObject. */
function assetsS3(s3: S3Client): IS3Client {
  return {
    getBucketEncryption: (input) => s3.send(new GetBucketEncryptionCommand(input)),
    getBucketLocation: (input) => s3.send(new GetBucketLocationCommand(input)),
    listObjectsV2: (input) => s3.send(new ListObjectsV2Command(input)),
    upload: async (input) => {
      // The library asks for a SHA-256 checksum; PutObject computes it over the bytes.
      const answer = await s3.send(new PutObjectCommand({ ...input, Body: await bodyBytes(input.Body) }));
      return {
        $metadata: answer.$metadata,
        Bucket: input.Bucket,
        Key: input.Key,
        ...(answer.ETag === undefined ? {} : { ETag: answer.ETag }),
        ...(answer.VersionId === undefined ? {} : { VersionId: answer.VersionId }),
        ...(answer.ChecksumSHA256 === undefined ? {} : { ChecksumSHA256: answer.ChecksumSHA256 }),
      };
    },
  };
}

/**
 * The AWS access cdk-assets-lib publishes with, inside the Lambda: the function's own credentials
 * and region (endpoints from AWS_ENDPOINT_URL_*, as every SDK client of this project), and, when a
 * destination names `assumeRoleArn` (the bootstrap's file-publishing role), that role assumed with
 * STS (once per role, region and external id). Image assets are never built or pushed here (no
 * Docker): their ECR client only reads whether the build stage published them.
 */
export class LambdaAws implements IAws {
  private current: Promise<Account> | undefined;
  private readonly roles = new Map<string, Promise<StaticCredentials>>();

  constructor(private readonly deps: LambdaAwsDeps) {}

  async discoverPartition(): Promise<string> {
    return (await this.discoverCurrentAccount()).partition;
  }

  async discoverDefaultRegion(): Promise<string> {
    return this.deps.region;
  }

  discoverCurrentAccount(): Promise<Account> {
    this.current ??= this.identity(this.deps.region, undefined);
    return this.current;
  }

  async discoverTargetAccount(options: ClientOptions): Promise<Account> {
    if (options.assumeRoleArn === undefined) return this.discoverCurrentAccount();
    const region = options.region ?? this.deps.region;
    return this.identity(region, await this.credentials(options, region));
  }

  async s3Client(options: ClientOptions): Promise<IS3Client> {
    const region = options.region ?? this.deps.region;
    return assetsS3(this.deps.s3(region, await this.credentials(options, region)));
  }

  /** Reading only: whether the repository and the image exist (never a login to push). */
  async ecrClient(options: ClientOptions): Promise<IECRClient> {
    const region = options.region ?? this.deps.region;
    const ecr = this.deps.ecr(region, await this.credentials(options, region));
    return {
      describeImages: (input) => ecr.send(new DescribeImagesCommand(input)),
      describeRepositories: (input) => ecr.send(new DescribeRepositoriesCommand(input)),
      getAuthorizationToken: async () => {
        throw new Error(IMAGES_ELSEWHERE);
      },
    };
  }

  async secretsManagerClient(_options: ClientOptions): Promise<ISecretsManagerClient> {
    throw new Error(IMAGES_ELSEWHERE);
  }

  private async identity(region: string, credentials: StaticCredentials | undefined): Promise<Account> {
    const answer = await this.deps.sts(region, credentials).send(new GetCallerIdentityCommand({}));
    if (answer.Account === undefined) throw new Error('STS GetCallerIdentity returned no account');
    return { accountId: answer.Account, partition: partitionOf(answer.Arn) };
  }

  /** The assumed role's credentials, or undefined for the Lambda's own. */
  private credentials(options: ClientOptions, region: string): Promise<StaticCredentials> | undefined {
    const roleArn = options.assumeRoleArn;
    if (roleArn === undefined) return undefined;
    const cacheKey = `${roleArn}\n${region}\n${options.assumeRoleExternalId ?? ''}`;
    let pending = this.roles.get(cacheKey);
    if (pending === undefined) {
      pending = this.assume(roleArn, region, options);
      this.roles.set(cacheKey, pending);
      pending.catch(() => this.roles.delete(cacheKey));
    }
    return pending;
  }

  private async assume(roleArn: string, region: string, options: ClientOptions): Promise<StaticCredentials> {
    const answer = await this.deps.sts(region).send(
      new AssumeRoleCommand({
        ...options.assumeRoleAdditionalOptions,
        RoleArn: roleArn,
        RoleSessionName:
          options.assumeRoleAdditionalOptions?.RoleSessionName ?? 'cfn-safe-deploy-publish-assets',
        ...(options.assumeRoleExternalId === undefined ? {} : { ExternalId: options.assumeRoleExternalId }),
      }),
    );
    const credentials = answer.Credentials;
    if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined) {
      throw new Error(`STS AssumeRole of ${roleArn} returned no credentials`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken === undefined ? {} : { sessionToken: credentials.SessionToken }),
    };
  }
}

/** STS, S3 and ECR clients as the Lambda makes them: the region given, endpoints from the environment. */
export function lambdaAwsClients(): Pick<LambdaAwsDeps, 'sts' | 's3' | 'ecr'> {
  return {
    sts: (region, credentials) =>
      new STSClient({ region, ...(credentials === undefined ? {} : { credentials }) }),
    s3: (region, credentials) =>
      createS3Client({ region, ...(credentials === undefined ? {} : { credentials }) }),
    ecr: (region, credentials) =>
      new ECRClient({ region, ...(credentials === undefined ? {} : { credentials }) }),
  };
}
