import { Readable } from 'node:stream';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ImageNotFoundException,
} from '@aws-sdk/client-ecr';
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ArtifactError, InvalidInputError } from '@cfn-safe-deploy/deploy-shared';
import { mockClient } from 'aws-sdk-client-mock';
import { strToU8, zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../src/handler.js';
import { LambdaAws } from '../src/lambda-aws.js';
import { publishAssets } from '../src/publish-assets.js';

const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);
const ecr = mockClient(ECRClient);
const ROLE = 'arn:aws:iam::123456789012:role/cdk-hnb659fds-file-publishing-role-123456789012-us-east-1';
const BUCKET = 'cdk-hnb659fds-assets-123456789012-us-east-1';

/** An asset manifest as CDK's default synthesizer writes it (placeholders unresolved). */
function manifest(
  extra: Record<string, unknown> = {},
  source = { path: 'Service.template.json', packaging: 'file' },
) {
  return JSON.stringify({
    version: '55.0.0',
    files: {
      abc123: {
        displayName: 'Service Template',
        source,
        destinations: {
          'current_account-current_region': {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation placeholders, as CDK writes them
            bucketName: 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}',
            objectKey: 'abc123.json',
            assumeRoleArn:
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation placeholders, as CDK writes them
              'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-file-publishing-role-${AWS::AccountId}-${AWS::Region}',
          },
        },
      },
    },
    dockerImages: {},
    ...extra,
  });
}

function serve(files: Record<string, string>): void {
  const archive = zipSync(
    Object.fromEntries(Object.entries(files).map(([path, text]) => [path, strToU8(text)])),
  );
  s3.on(GetObjectCommand, { Bucket: 'artifacts', Key: 'source.zip' }).callsFake(() => ({
    Body: Readable.from([Buffer.from(archive)]) as unknown as GetObjectCommandOutput['Body'],
    ContentLength: archive.byteLength,
  }));
}

const input = {
  input: {
    revisionS3Bucket: 'artifacts',
    revisionS3Key: 'source.zip',
    assetManifests: ['cdk.out/Service.assets.json'],
  },
};

function deps() {
  return {
    s3: new S3Client({ region: 'us-east-1' }),
    aws: new LambdaAws({
      region: 'us-east-1',
      sts: (region: string) => new STSClient({ region }),
      s3: (region: string) => new S3Client({ region }),
      ecr: (region: string) => new ECRClient({ region }),
    }),
  };
}

beforeEach(() => {
  s3.reset();
  sts.reset();
  ecr.reset();
  ecr.on(DescribeRepositoriesCommand).resolves({
    repositories: [
      { repositoryName: 'repo', repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/repo' },
    ],
  });
  ecr.on(DescribeImagesCommand).rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/x/y' });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'AK', SecretAccessKey: 'SK', SessionToken: 'ST', Expiration: new Date() },
  });
  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(GetBucketEncryptionCommand).resolves({});
  s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
  serve({
    'cdk.out/Service.assets.json': manifest(),
    'cdk.out/Service.template.json': '{"Resources":{}}',
  });
});

describe('publishAssets', () => {
  it('GIVEN a file asset WHEN published THEN it is uploaded at the resolved destination with the publishing role', async () => {
    // Act
    const result = await publishAssets(input, deps());
    // Assess
    expect(result.assets).toEqual([
      {
        manifest: 'cdk.out/Service.assets.json',
        assetId: 'abc123',
        destinationId: 'current_account-current_region',
        destination: `s3://${BUCKET}/abc123.json`,
        action: 'uploaded',
      },
    ]);
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toMatchObject({ Bucket: BUCKET, Key: 'abc123.json' });
    expect(Buffer.from(puts[0]?.args[0].input.Body as Uint8Array).toString()).toBe('{"Resources":{}}');
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
      RoleArn: ROLE,
      RoleSessionName: 'cfn-safe-deploy-publish-assets',
    });
  });

  it('GIVEN the object already at its key WHEN published THEN nothing is uploaded', async () => {
    // Arrange
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'abc123.json', Size: 100 }] });
    // Act
    const result = await publishAssets(input, deps());
    // Assess
    expect(result.assets.map((asset) => asset.action)).toEqual(['already-published']);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  const withImage = () =>
    serve({
      'cdk.out/Service.assets.json': manifest({
        dockerImages: {
          img789: {
            source: { directory: 'asset.img789' },
            destinations: { d: { repositoryName: 'repo', imageTag: 'img789' } },
          },
        },
      }),
      'cdk.out/Service.template.json': '{}',
    });

  it('GIVEN a container image asset the build stage did not publish WHEN published THEN it fails permanently naming the asset, before any file is uploaded', async () => {
    // Arrange
    withImage();
    // Act
    const failure = publishAssets(input, deps());
    // Assess
    await expect(failure).rejects.toThrow(ArtifactError);
    await expect(failure).rejects.toThrow(
      /container image asset img789 \(ECR repo:img789\) is not published: .*the build stage must publish them/,
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(ecr.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'repo',
      imageIds: [{ imageTag: 'img789' }],
    });
  });

  it('GIVEN a container image asset already in ECR WHEN published THEN it is reported as published and the file assets are uploaded', async () => {
    // Arrange
    withImage();
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['img789'] }] });
    // Act
    const result = await publishAssets(input, deps());
    // Assess
    expect(result.assets).toEqual([
      expect.objectContaining({
        assetId: 'img789',
        destination: 'ecr://repo:img789',
        action: 'already-published',
      }),
      expect.objectContaining({ assetId: 'abc123', action: 'uploaded' }),
    ]);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('GIVEN a manifest that is not in the artifact WHEN published THEN the error names it', async () => {
    // Act
    const failure = publishAssets(
      { input: { ...input.input, assetManifests: ['cdk.out/Other.assets.json'] } },
      deps(),
    );
    // Assess
    await expect(failure).rejects.toThrow(ArtifactError);
    await expect(failure).rejects.toThrow(/asset manifest "cdk\.out\/Other\.assets\.json" .* was not found/);
  });

  it('GIVEN an asset source missing from the artifact WHEN published THEN the error names its path', async () => {
    // Arrange
    serve({ 'cdk.out/Service.assets.json': manifest({}, { path: 'asset.missing', packaging: 'zip' }) });
    // Act
    const failure = publishAssets(input, deps());
    // Assess
    await expect(failure).rejects.toThrow(/asset source "cdk\.out\/asset\.missing" .* was not found/);
  });

  it('GIVEN a source path that leaves the artifact WHEN published THEN it is refused before anything is read', async () => {
    // Arrange
    serve({ 'cdk.out/Service.assets.json': manifest({}, { path: '../../etc/passwd', packaging: 'file' }) });
    // Act
    const failure = publishAssets(input, deps());
    // Assess
    await expect(failure).rejects.toThrow(/"\.\.\/\.\.\/etc\/passwd"\) is outside the source artifact/);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('GIVEN an archive entry that escapes the extraction directory WHEN published THEN the whole archive is refused', async () => {
    // Arrange
    serve({ 'cdk.out/Service.assets.json': manifest(), '../evil.sh': 'x' });
    // Act
    const failure = publishAssets(input, deps());
    // Assess
    await expect(failure).rejects.toThrow(/outside the extraction directory .*"\.\.\/evil\.sh"/);
  });

  it('GIVEN entries larger than the extraction limit WHEN published THEN they are refused without being written', async () => {
    // Act
    const failure = publishAssets(input, { ...deps(), limits: { maxExtractedBytes: 10 } });
    // Assess
    await expect(failure).rejects.toThrow(/hold more than 10 bytes/);
  });

  it('GIVEN S3 throttling the upload WHEN published THEN the SDK error keeps its name', async () => {
    // Arrange
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('Please reduce your request rate.'), {
        name: 'SlowDown',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    // Act
    const failure = publishAssets(input, deps());
    // Assess
    await expect(failure).rejects.toMatchObject({ name: 'SlowDown' });
  });
});

describe('handler', () => {
  it('GIVEN a manifest path with ".." WHEN invoked THEN the input is refused naming the field', async () => {
    // Act
    const failure = handler({ input: { ...input.input, assetManifests: ['../Service.assets.json'] } });
    // Assess
    await expect(failure).rejects.toThrow(InvalidInputError);
    await expect(failure).rejects.toThrow(/assetManifests.*without "\.\."/);
  });
});
