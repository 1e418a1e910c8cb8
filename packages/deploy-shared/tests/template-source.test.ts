import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ArtifactError, RetryableError } from '../src/errors.js';
import { MAX_TEMPLATE_BODY_BYTES, templateSource } from '../src/template-source.js';
import { awsError } from './aws-errors.js';

const s3 = mockClient(S3Client);
const small = { body: 'Resources: {}', bytes: 13 };
const large = { body: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES + 1), bytes: MAX_TEMPLATE_BODY_BYTES + 1 };
const staging = { bucket: 'staging-bucket', key: 'templates/prod-app/job-1.template' };

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('templateSource', () => {
  it('passes templates up to 51,200 bytes inline', async () => {
    // Act
    const source = await templateSource(new S3Client({ region: 'us-east-1' }), small, staging);

    // Assess
    expect(source).toEqual({ TemplateBody: 'Resources: {}' });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('keeps a template of exactly 51,200 bytes inline', async () => {
    const exact = { body: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES), bytes: MAX_TEMPLATE_BODY_BYTES };
    expect(await templateSource(new S3Client({ region: 'us-east-1' }), exact, staging)).toHaveProperty(
      'TemplateBody',
    );
  });

  it('stages a larger template and returns its virtual-hosted URL', async () => {
    // Act
    const source = await templateSource(new S3Client({ region: 'eu-west-1' }), large, staging);

    // Assess
    expect(source).toEqual({
      TemplateURL: 'https://staging-bucket.s3.eu-west-1.amazonaws.com/templates/prod-app/job-1.template',
    });
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: 'staging-bucket', Key: staging.key, Body: large.body });
  });

  it('uses the amazonaws.com.cn domain in China regions', async () => {
    const source = await templateSource(new S3Client({ region: 'cn-north-1' }), large, staging);
    expect(source).toEqual({
      TemplateURL: 'https://staging-bucket.s3.cn-north-1.amazonaws.com.cn/templates/prod-app/job-1.template',
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
    const source = await templateSource(client, large, { ...staging, key: 'templates/a b.template' });

    // Assess
    expect(source).toEqual({ TemplateURL: 'http://localhost:5000/staging-bucket/templates/a%20b.template' });
  });

  it('explains that TEMPLATE_BUCKET is needed when it is not set', async () => {
    // Act
    const staged = templateSource(new S3Client({ region: 'us-east-1' }), large, { key: staging.key });

    // Assess
    await expect(staged).rejects.toThrow(ArtifactError);
    await expect(staged).rejects.toThrow(/51201 bytes.*TEMPLATE_BUCKET is not set/);
  });

  it('maps upload errors like any AWS error', async () => {
    s3.on(PutObjectCommand).rejects(awsError('SlowDown', 'reduce your request rate', 503));
    await expect(templateSource(new S3Client({ region: 'us-east-1' }), large, staging)).rejects.toThrow(
      RetryableError,
    );
  });
});
