import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { awsTestEnv, s3For, startMoto } from '../src/index.js';

describe('startMoto', () => {
  it('starts a moto server that answers S3 calls on localhost, and stops it', async () => {
    // Prepare
    const moto = await startMoto();
    try {
      // Act
      const buckets = await s3For(moto.endpoint).send(new ListBucketsCommand({}));

      // Assess
      expect(moto.endpoint).toBe(`http://localhost:${moto.port}`);
      expect(buckets.Buckets ?? []).toEqual([]);
    } finally {
      await moto.stop();
    }
    await expect(fetch(`http://127.0.0.1:${moto.port}/moto-api/`)).rejects.toThrow();
  });

  it('names the install command when the Python interpreter is missing', async () => {
    // Act
    const started = startMoto({ python: 'python3-that-does-not-exist' });

    // Assess
    await expect(started).rejects.toThrow(/pip install 'moto\[server\]'/);
  });

  it('names the install command when moto is not installed for that Python', async () => {
    // Prepare: a "python" that cannot import moto
    const started = startMoto({ python: 'false' });

    // Assess
    await expect(started).rejects.toThrow(/exited with code 1|pip install/);
  });
});

describe('awsTestEnv', () => {
  it('points every client at the endpoint with fake credentials in us-east-1', () => {
    // Act
    const env = awsTestEnv('http://localhost:1234');

    // Assess
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://localhost:1234',
      AWS_ENDPOINT_URL_S3: 'http://localhost:1234',
      AWS_S3_FORCE_PATH_STYLE: 'true',
    });
  });
});
