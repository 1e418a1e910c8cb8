import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { extractArtifactPaths } from '../src/artifact.js';
import { ArtifactError } from '../src/errors.js';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });

function serve(files: Record<string, Uint8Array>): void {
  const archive = zipSync(files);
  s3.on(GetObjectCommand, { Bucket: 'artifacts', Key: 'source.zip' }).callsFake(() => ({
    Body: Readable.from([Buffer.from(archive)]) as unknown as GetObjectCommandOutput['Body'],
    ContentLength: archive.byteLength,
  }));
}

const BINARY = new Uint8Array([0, 255, 1, 254, 0x80]);

beforeEach(() => {
  s3.reset();
  serve({
    'cdk.out/asset.abc/index.js': new TextEncoder().encode('exports.handler = 1;'),
    'cdk.out/asset.abc/lib/data.bin': BINARY,
    'cdk.out/asset.other/x.js': new TextEncoder().encode('x'),
    'cdk.out/App.template.json': new TextEncoder().encode('{}'),
  });
});

describe('extractArtifactPaths', () => {
  it('GIVEN a directory and a file WHEN extracted THEN every file under the directory and the file are written as bytes, nothing else', async () => {
    // Arrange
    const target = mkdtempSync(join(tmpdir(), 'extract-'));
    // Act
    const extracted = await extractArtifactPaths(
      client,
      { bucket: 'artifacts', key: 'source.zip', paths: ['cdk.out/asset.abc', './cdk.out/App.template.json'] },
      target,
    );
    // Assess
    expect([...extracted.kinds]).toEqual([
      ['cdk.out/asset.abc', 'directory'],
      ['./cdk.out/App.template.json', 'file'],
    ]);
    expect([...extracted.files].sort()).toEqual([
      'cdk.out/App.template.json',
      'cdk.out/asset.abc/index.js',
      'cdk.out/asset.abc/lib/data.bin',
    ]);
    expect(new Uint8Array(readFileSync(join(target, 'cdk.out/asset.abc/lib/data.bin')))).toEqual(BINARY);
    expect(extracted.bytes).toBe(20 + BINARY.length + 2);
  });

  it('GIVEN a path that is absent WHEN extracted THEN the error names it as the caller calls it', async () => {
    // Act
    const failure = extractArtifactPaths(
      client,
      { bucket: 'artifacts', key: 'source.zip', paths: ['cdk.out/asset.ab'], describedAs: 'asset source' },
      mkdtempSync(join(tmpdir(), 'extract-')),
    );
    // Assess
    await expect(failure).rejects.toThrow(ArtifactError);
    await expect(failure).rejects.toThrow(
      /^The asset source "cdk\.out\/asset\.ab" in s3:\/\/artifacts\/source\.zip was not found: the archive holds/,
    );
  });

  it('GIVEN a path with ".." WHEN extracted THEN it is refused before the archive is read', async () => {
    // Act
    const failure = extractArtifactPaths(
      client,
      { bucket: 'artifacts', key: 'source.zip', paths: ['cdk.out/../../etc'] },
      mkdtempSync(join(tmpdir(), 'extract-')),
    );
    // Assess
    await expect(failure).rejects.toThrow(
      /path "cdk\.out\/\.\.\/\.\.\/etc" .* is absolute or contains "\.\."/,
    );
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});
