import { afterEach, describe, expect, it, vi } from 'vitest';
import { cloudFormationClient, createS3Client, s3Client } from '../src/clients.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('clients', () => {
  it('creates each client once and reuses it', () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    expect(cloudFormationClient()).toBe(cloudFormationClient());
    expect(s3Client()).toBe(s3Client());
  });

  it('uses path-style S3 addressing for a custom endpoint or when asked to', () => {
    expect(createS3Client({ AWS_ENDPOINT_URL_S3: 'http://localhost:5000' }).config.forcePathStyle).toBe(true);
    expect(createS3Client({ AWS_ENDPOINT_URL: 'http://localhost:5000' }).config.forcePathStyle).toBe(true);
    expect(createS3Client({ AWS_S3_FORCE_PATH_STYLE: 'true' }).config.forcePathStyle).toBe(true);
    expect(createS3Client({}).config.forcePathStyle).toBe(false);
  });
});
