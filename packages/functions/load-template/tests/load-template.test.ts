import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ArtifactError, RetryableError } from '@cfn-safe-deploy/deploy-shared';
import { type TaskInput, TemplateSourceSchema } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { strToU8, zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../src/handler.js';
import { loadTemplateOfDeployment, MAX_TEMPLATE_BYTES } from '../src/load-template.js';

const s3 = mockClient(S3Client);
const TEMPLATE = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
const deps = { s3: new S3Client({ region: 'us-east-1' }), config: { maxArchiveBytes: 1024 * 1024 } };

const state: TaskInput<'loadTemplate'> = {
  input: {
    environmentName: 'prod',
    stackName: 'app',
    templatePath: 'cdk.out/template.yaml',
    revisionS3Bucket: 'artifacts',
    revisionS3Key: 'pipeline/source.zip',
    onUnsafeChange: 'fail',
  },
  deploymentId: 'job-1',
};

function serve(files: Record<string, string>): void {
  const archive = zipSync(
    Object.fromEntries(Object.entries(files).map(([path, text]) => [path, strToU8(text)])),
  );
  s3.on(GetObjectCommand, { Bucket: 'artifacts', Key: 'pipeline/source.zip' }).callsFake(() => ({
    Body: Readable.from([Buffer.from(archive)]) as unknown as GetObjectCommandOutput['Body'],
    ContentLength: archive.byteLength,
  }));
}

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  serve({ 'cdk.out/template.yaml': TEMPLATE });
});

describe('loadTemplateOfDeployment', () => {
  it('puts a template of up to 51,200 bytes in the state as it is', async () => {
    // Act
    const template = await loadTemplateOfDeployment(state, deps);

    // Assess
    expect(template).toEqual({ body: TEMPLATE, bytes: TEMPLATE.length });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('stages a larger template under the target stack and the deployment, and returns its URL', async () => {
    // Prepare
    const big = `${TEMPLATE}# ${'x'.repeat(60_000)}\n`;
    serve({ 'cdk.out/template.yaml': big });

    // Act
    const template = await loadTemplateOfDeployment(state, {
      ...deps,
      config: { ...deps.config, templateBucket: 'staging' },
    });

    // Assess
    expect(template).toEqual({
      url: 'https://staging.s3.us-east-1.amazonaws.com/templates/prod-app/job-1.template',
      bytes: big.length,
    });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'staging',
      Key: 'templates/prod-app/job-1.template',
      Body: big,
    });
  });

  it('explains that a template over 51,200 bytes needs TEMPLATE_BUCKET', async () => {
    // Prepare
    serve({ 'cdk.out/template.yaml': `${TEMPLATE}# ${'x'.repeat(60_000)}\n` });

    // Act
    const loading = loadTemplateOfDeployment(state, deps);

    // Assess
    await expect(loading).rejects.toBeInstanceOf(ArtifactError);
    await expect(loading).rejects.toThrow(
      /more than the 51200 CloudFormation accepts inline, and TEMPLATE_BUCKET is not set/,
    );
  });

  it('names the templatePath when the archive does not hold it', async () => {
    // Prepare
    serve({ 'cdk.out/other.yaml': TEMPLATE });

    // Act
    const loading = loadTemplateOfDeployment(state, deps);

    // Assess
    await expect(loading).rejects.toBeInstanceOf(ArtifactError);
    await expect(loading).rejects.toThrow(/templatePath "cdk.out\/template.yaml"/);
  });

  it('refuses a template over 1 MB, as CloudFormation would', async () => {
    // Prepare: a template just over the limit, in an archive well within maxArchiveBytes
    serve({ 'cdk.out/template.yaml': `# ${'x'.repeat(MAX_TEMPLATE_BYTES)}\n` });

    // Act
    const loading = loadTemplateOfDeployment(state, {
      ...deps,
      config: { maxArchiveBytes: 4 * MAX_TEMPLATE_BYTES },
    });

    // Assess
    await expect(loading).rejects.toBeInstanceOf(ArtifactError);
    await expect(loading).rejects.toThrow(/CloudFormation accepts templates of at most 1048576 bytes/);
  });

  it('fails with an ArtifactError when the artifact is not there', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 'The specified key does not exist.', 404));
    await expect(loadTemplateOfDeployment(state, deps)).rejects.toBeInstanceOf(ArtifactError);
  });

  it('asks for a retry when S3 throttles', async () => {
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', 503));
    await expect(loadTemplateOfDeployment(state, deps)).rejects.toBeInstanceOf(RetryableError);
  });
});

describe('handler', () => {
  it('returns a template that matches the contract', async () => {
    // Act
    const result = await handler(state);

    // Assess
    expect(TemplateSourceSchema.parse(result)).toEqual({ body: TEMPLATE, bytes: TEMPLATE.length });
  });

  it('reads the input without its policy, which Check Stack Existence checks after it', async () => {
    // Prepare
    const event = { ...state, input: { ...state.input, policy: { version: 1, rules: 'not read here' } } };

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({ body: TEMPLATE, bytes: TEMPLATE.length });
  });

  it.each([
    ['a templatePath outside the archive', { templatePath: '../outside.yaml' }, 'templatePath'],
    ['an artifact bucket name too short to be one', { revisionS3Bucket: 'ab' }, 'revisionS3Bucket'],
  ])('refuses %s before reading the artifact', async (_case, extra, named) => {
    // Prepare
    const event = { ...state, input: { ...state.input, ...extra } };

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining(named),
    });
    expect(s3.calls()).toHaveLength(0);
  });
});
