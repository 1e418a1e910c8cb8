import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourceCommand,
} from '@aws-sdk/client-cloudformation';
import { ECRClient } from '@aws-sdk/client-ecr';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { type MotoServer, startMoto } from '@cfn-safe-deploy/testing/moto';
import { App, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaAws } from '../src/lambda-aws.js';
import { publishAssets } from '../src/publish-assets.js';

const REGION = 'us-east-1';
const ASSET_BUCKET = 'cdk-hnb659fds-assets-123456789012-us-east-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };

/** A CDK app as users write it: a function whose code is a directory (a zip-directory file asset). */
function synthesize(root: string): string {
  const code = join(root, 'handler');
  mkdirSync(code, { recursive: true });
  writeFileSync(join(code, 'index.mjs'), 'export const handler = async () => "hello";\n');
  const outdir = join(root, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Service');
  new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromAsset(code),
  });
  app.synth();
  return outdir;
}

/** The source artifact: the directory zipped, `cdk.out/…` at its root, as CodePipeline stores it. */
function zipOf(root: string, under: string): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(root, path)] = readFileSync(path);
    }
  };
  walk(join(root, under));
  return zipSync(files);
}

describe('publishAssets against moto (S3, STS)', () => {
  let moto: MotoServer;
  let s3: S3Client;
  let aws: LambdaAws;
  let assembly: string;
  let root: string;

  beforeAll(async () => {
    moto = await startMoto();
    s3 = new S3Client({ endpoint: moto.endpoint, region: REGION, credentials, forcePathStyle: true });
    root = mkdtempSync(join(tmpdir(), 'publish-assets-app-'));
    assembly = synthesize(root);
    await s3.send(new CreateBucketCommand({ Bucket: ASSET_BUCKET }));
    await s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
    await s3.send(
      new PutObjectCommand({ Bucket: 'artifacts', Key: 'source.zip', Body: zipOf(root, 'cdk.out') }),
    );
    aws = new LambdaAws({
      region: REGION,
      sts: (region, assumed) =>
        new STSClient({ endpoint: moto.endpoint, region, credentials: assumed ?? credentials }),
      s3: (region, assumed) =>
        new S3Client({
          endpoint: moto.endpoint,
          region,
          credentials: assumed ?? credentials,
          forcePathStyle: true,
        }),
      ecr: (region, assumed) =>
        new ECRClient({ endpoint: moto.endpoint, region, credentials: assumed ?? credentials }),
    });
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  const input = {
    input: {
      revisionS3Bucket: 'artifacts',
      revisionS3Key: 'source.zip',
      assetManifests: ['cdk.out/Service.assets.json'],
    },
  };

  it('GIVEN a fresh asset bucket WHEN published THEN each file asset is at its manifest key, the code zipped', async () => {
    // Arrange
    const manifest = JSON.parse(readFileSync(join(assembly, 'Service.assets.json'), 'utf8')) as {
      files: Record<
        string,
        { source: { path: string; packaging: string }; destinations: Record<string, { objectKey: string }> }
      >;
    };
    const codeAsset = Object.entries(manifest.files).find(([, file]) => file.source.packaging === 'zip');
    expect(codeAsset).toBeDefined();
    const [codeId, code] = codeAsset as [string, (typeof manifest.files)[string]];
    const codeKey = Object.values(code.destinations)[0]?.objectKey ?? '';
    // Act
    const events: string[] = [];
    const result = await publishAssets(input, { s3, aws, log: (line) => events.push(line) });
    // Assess
    expect(result.assets).toHaveLength(Object.keys(manifest.files).length);
    expect(result.assets.map((asset) => asset.action)).toEqual(result.assets.map(() => 'uploaded'));
    expect(events).toContain(`upload: Upload s3://${ASSET_BUCKET}/${codeKey}`);
    expect(result.assets.find((asset) => asset.assetId === codeId)?.destination).toBe(
      `s3://${ASSET_BUCKET}/${codeKey}`,
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: ASSET_BUCKET, Key: codeKey }));
    const zipped = unzipSync(
      await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    expect(Object.keys(zipped)).toEqual(['index.mjs']);
    expect(Buffer.from(zipped['index.mjs'] ?? new Uint8Array()).toString()).toContain('"hello"');
    const template = await s3.send(
      new GetObjectCommand({
        Bucket: ASSET_BUCKET,
        Key: result.assets
          .find((asset) => asset.assetId !== codeId)
          ?.destination.split('/')
          .slice(3)
          .join('/'),
      }),
    );
    expect(
      JSON.parse(await (template.Body as { transformToString(): Promise<string> }).transformToString()),
    ).toEqual(JSON.parse(readFileSync(join(assembly, 'Service.template.json'), 'utf8')));
  }, 60_000);

  it('GIVEN the assets already published WHEN published again THEN nothing is uploaded', async () => {
    // Arrange
    const before = await s3.send(new ListObjectsV2Command({ Bucket: ASSET_BUCKET }));
    // Act
    const result = await publishAssets(input, { s3, aws });
    // Assess
    expect(result.assets.map((asset) => asset.action)).toEqual(result.assets.map(() => 'already-published'));
    const after = await s3.send(new ListObjectsV2Command({ Bucket: ASSET_BUCKET }));
    expect(after.Contents?.map((object) => [object.Key, object.LastModified?.getTime()])).toEqual(
      before.Contents?.map((object) => [object.Key, object.LastModified?.getTime()]),
    );
  }, 60_000);

  it('GIVEN the published assets WHEN the template is deployed to moto THEN the function is created from the code at the manifest key', async () => {
    // Arrange: what a bootstrapped account has (the version parameter the template reads)
    const clients = { endpoint: moto.endpoint, region: REGION, credentials };
    await new SSMClient(clients).send(
      new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '33', Type: 'String' }),
    );
    const cfn = new CloudFormationClient(clients);
    const manifest = JSON.parse(readFileSync(join(assembly, 'Service.assets.json'), 'utf8')) as {
      files: Record<
        string,
        { source: { packaging: string }; destinations: Record<string, { objectKey: string }> }
      >;
    };
    const code = Object.values(manifest.files).find((file) => file.source.packaging === 'zip');
    const codeKey = Object.values(code?.destinations ?? {})[0]?.objectKey ?? '';
    const logicalId = Object.entries(
      (
        JSON.parse(readFileSync(join(assembly, 'Service.template.json'), 'utf8')) as {
          Resources: Record<string, { Type: string }>;
        }
      ).Resources,
    ).find(([, resource]) => resource.Type === 'AWS::Lambda::Function')?.[0];
    // Act
    await cfn.send(
      new CreateStackCommand({
        StackName: 'Service',
        TemplateBody: readFileSync(join(assembly, 'Service.template.json'), 'utf8'),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    // Assess
    const resource = await cfn.send(
      new DescribeStackResourceCommand({ StackName: 'Service', LogicalResourceId: logicalId }),
    );
    const fn = await new LambdaClient(clients).send(
      new GetFunctionCommand({ FunctionName: resource.StackResourceDetail?.PhysicalResourceId }),
    );
    expect(codeKey).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(fn.Code?.Location).toContain(codeKey);
  }, 60_000);
});
