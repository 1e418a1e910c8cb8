import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cloudFormationClient, createS3Client, s3Client } from '../src/clients.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const JOB_CREDENTIALS = {
  accessKeyId: 'ASIAJOBARTIFACTS',
  secretAccessKey: 'job-secret-access-key',
  sessionToken: 'job-session-token',
};

/** The headers of the request the client would send, taken after signing; nothing is sent. */
async function signedHeaders(client: ReturnType<typeof createS3Client>): Promise<Record<string, string>> {
  let headers: Record<string, string> = {};
  client.middlewareStack.add(
    () => async (args) => {
      headers = { ...(args.request as { headers: Record<string, string> }).headers };
      throw Object.assign(new Error('captured'), { name: 'CapturedRequest' });
    },
    { step: 'deserialize', name: 'captureSignedRequest' },
  );
  await client.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'source.zip' })).catch(() => undefined);
  return headers;
}

describe('clients', () => {
  it('creates each client once and reuses it', () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    expect(cloudFormationClient()).toBe(cloudFormationClient());
    expect(s3Client()).toBe(s3Client());
  });

  it('uses path-style S3 addressing for a custom endpoint or when asked to', () => {
    expect(
      createS3Client({ env: { AWS_ENDPOINT_URL_S3: 'http://localhost:5000' } }).config.forcePathStyle,
    ).toBe(true);
    expect(createS3Client({ env: { AWS_ENDPOINT_URL: 'http://localhost:5000' } }).config.forcePathStyle).toBe(
      true,
    );
    expect(createS3Client({ env: { AWS_S3_FORCE_PATH_STYLE: 'true' } }).config.forcePathStyle).toBe(true);
    expect(createS3Client({ env: {} }).config.forcePathStyle).toBe(false);
  });

  it('reads the path-style rules from process.env by default', () => {
    // Prepare
    vi.stubEnv('AWS_S3_FORCE_PATH_STYLE', 'true');

    // Act
    const client = createS3Client();

    // Assess
    expect(client.config.forcePathStyle).toBe(true);
  });

  it('signs with the credentials it is given (a job artifact client), keeping the path-style rules', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFUNCTIONROLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'function-role-secret');

    // Act
    const client = createS3Client({
      env: { AWS_ENDPOINT_URL_S3: 'http://localhost:5000' },
      credentials: JOB_CREDENTIALS,
    });
    const headers = await signedHeaders(client);

    // Assess
    expect(await client.config.credentials()).toMatchObject(JOB_CREDENTIALS);
    expect(client.config.forcePathStyle).toBe(true);
    expect(headers.authorization).toContain(`Credential=${JOB_CREDENTIALS.accessKeyId}/`);
    expect(headers['x-amz-security-token']).toBe(JOB_CREDENTIALS.sessionToken);
  });

  it('signs without a session token when the credentials have none', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const { sessionToken: _, ...longTerm } = JOB_CREDENTIALS;

    // Act
    const client = createS3Client({ env: {}, credentials: longTerm });
    const headers = await signedHeaders(client);

    // Assess
    expect(await client.config.credentials()).toMatchObject(longTerm);
    expect(headers.authorization).toContain(`Credential=${longTerm.accessKeyId}/`);
    expect(headers['x-amz-security-token']).toBeUndefined();
  });

  it('signs with the default provider chain (the function role) without credentials', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAFUNCTIONROLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'function-role-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', '');

    // Act
    const headers = await signedHeaders(createS3Client({ env: {} }));

    // Assess
    expect(headers.authorization).toContain('Credential=AKIAFUNCTIONROLE/');
  });
});
