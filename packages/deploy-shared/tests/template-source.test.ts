import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MAX_TEMPLATE_BODY_BYTES, MAX_TEMPLATE_BODY_STATE_BYTES } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArtifactError, RetryableError } from '../src/errors.js';
import { templateRequestFields } from '../src/template-request.js';
import { stageTemplate } from '../src/template-source.js';

const s3 = mockClient(S3Client);
const small = { body: 'Resources: {}', bytes: 13 };
const large = { body: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES + 1), bytes: MAX_TEMPLATE_BODY_BYTES + 1 };
const staging = { bucket: 'staging-bucket', key: 'templates/prod-app/job-1.template' };

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('stageTemplate', () => {
  it('passes templates up to 51,200 bytes inline', async () => {
    // Act
    const source = await stageTemplate(new S3Client({ region: 'us-east-1' }), small, staging);

    // Assess
    expect(source).toEqual({ body: 'Resources: {}', bytes: 13 });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('keeps a template of exactly 51,200 bytes inline', async () => {
    const exact = { body: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES), bytes: MAX_TEMPLATE_BODY_BYTES };
    expect(await stageTemplate(new S3Client({ region: 'us-east-1' }), exact, staging)).toHaveProperty('body');
  });

  it('stages a larger template and returns its virtual-hosted URL', async () => {
    // Act
    const source = await stageTemplate(new S3Client({ region: 'eu-west-1' }), large, staging);

    // Assess
    expect(source).toEqual({
      url: 'https://staging-bucket.s3.eu-west-1.amazonaws.com/templates/prod-app/job-1.template',
      bytes: MAX_TEMPLATE_BODY_BYTES + 1,
    });
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: 'staging-bucket', Key: staging.key, Body: large.body });
  });

  it('uses the amazonaws.com.cn domain in China regions', async () => {
    const source = await stageTemplate(new S3Client({ region: 'cn-north-1' }), large, staging);
    expect(source).toMatchObject({
      url: 'https://staging-bucket.s3.cn-north-1.amazonaws.com.cn/templates/prod-app/job-1.template',
    });
  });

  it('returns a path-style URL on a custom endpoint (an emulator)', async () => {
    // Prepare
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://localhost:5000',
      forcePathStyle: true,
    });

    // Act
    const source = await stageTemplate(client, large, { ...staging, key: 'templates/a b.template' });

    // Assess
    expect(source).toMatchObject({ url: 'http://localhost:5000/staging-bucket/templates/a%20b.template' });
  });

  it('explains that TEMPLATE_BUCKET is needed when it is not set', async () => {
    // Act
    const staged = stageTemplate(new S3Client({ region: 'us-east-1' }), large, { key: staging.key });

    // Assess
    await expect(staged).rejects.toThrow(ArtifactError);
    await expect(staged).rejects.toThrow(/51201 bytes.*TEMPLATE_BUCKET is not set/);
  });

  it('stages a template within 51,200 bytes whose JSON encoding would not fit the state', async () => {
    // Prepare: 51,200 bytes of which every other one is a quote, which JSON escapes as two.
    const quoted = { body: '"x'.repeat(MAX_TEMPLATE_BODY_BYTES / 2), bytes: MAX_TEMPLATE_BODY_BYTES };

    // Act
    const source = await stageTemplate(new S3Client({ region: 'us-east-1' }), quoted, staging);

    // Assess
    expect(source).toEqual({
      url: 'https://staging-bucket.s3.us-east-1.amazonaws.com/templates/prod-app/job-1.template',
      bytes: MAX_TEMPLATE_BODY_BYTES,
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    await expect(
      stageTemplate(new S3Client({ region: 'us-east-1' }), quoted, { key: staging.key }),
    ).rejects.toThrow(
      `The template is 51200 bytes but 76802 as JSON in the Step Functions state, more than the ${MAX_TEMPLATE_BODY_STATE_BYTES} kept there, and TEMPLATE_BUCKET is not set`,
    );
  });

  it('maps upload errors like any AWS error', async () => {
    s3.on(PutObjectCommand).rejects(awsError('SlowDown', 'reduce your request rate', 503));
    await expect(stageTemplate(new S3Client({ region: 'us-east-1' }), large, staging)).rejects.toThrow(
      RetryableError,
    );
  });
});

describe('templateRequestFields', () => {
  it('passes an inline template as TemplateBody and a staged one as TemplateURL', () => {
    expect(templateRequestFields({ body: 'Resources: {}', bytes: 13 })).toEqual({
      TemplateBody: 'Resources: {}',
    });
    expect(templateRequestFields({ url: 'https://b.s3.us-east-1.amazonaws.com/t', bytes: 60_000 })).toEqual({
      TemplateURL: 'https://b.s3.us-east-1.amazonaws.com/t',
    });
  });
});
