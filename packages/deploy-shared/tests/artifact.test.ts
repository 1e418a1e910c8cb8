import { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { strToU8, zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTemplate, MAX_TEMPLATE_BYTES } from '../src/artifact.js';
import { ArtifactError, RetryableError } from '../src/errors.js';
import { awsError } from './aws-errors.js';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });
const location = { bucket: 'artifacts', key: 'source.zip', templatePath: 'cdk.out/App.template.json' };

const YAML_TEMPLATE = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
const JSON_TEMPLATE = JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });

function body(bytes: Uint8Array): GetObjectCommandOutput['Body'] {
  return Readable.from([Buffer.from(bytes)]) as unknown as GetObjectCommandOutput['Body'];
}

function serve(archive: Uint8Array, contentLength: number | null = archive.byteLength): void {
  s3.on(GetObjectCommand, { Bucket: 'artifacts', Key: 'source.zip' }).resolves({
    Body: body(archive),
    ...(contentLength === null ? {} : { ContentLength: contentLength }),
  });
}

beforeEach(() => {
  s3.reset();
});

describe('loadTemplate', () => {
  it('reads a JSON template from a folder in the archive', async () => {
    // Prepare
    serve(
      zipSync({ cdk: { 'x.txt': strToU8('x') }, 'cdk.out': { 'App.template.json': strToU8(JSON_TEMPLATE) } }),
    );

    // Act
    const template = await loadTemplate(client, location);

    // Assess
    expect(template).toEqual({ body: JSON_TEMPLATE, bytes: JSON_TEMPLATE.length });
  });

  it('reads a YAML template and counts UTF-8 bytes', async () => {
    // Prepare
    const yaml = `${YAML_TEMPLATE}Description: café\n`;
    serve(zipSync({ 'template.yaml': strToU8(yaml) }));

    // Act
    const template = await loadTemplate(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    expect(template.body).toBe(yaml);
    expect(template.bytes).toBe(Buffer.byteLength(yaml));
  });

  it('strips a UTF-8 byte order mark', async () => {
    // Prepare
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(YAML_TEMPLATE)]);
    serve(zipSync({ 'template.yaml': withBom }));

    // Act
    const template = await loadTemplate(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    expect(template.body).toBe(YAML_TEMPLATE);
    expect(template.bytes).toBe(YAML_TEMPLATE.length);
  });

  it('accepts a templatePath written with a leading ./', async () => {
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE) }));
    const template = await loadTemplate(client, { ...location, templatePath: './template.yaml' });
    expect(template.body).toBe(YAML_TEMPLATE);
  });

  it('refuses the whole archive when an entry climbs out with ".." (zip-slip)', async () => {
    // Prepare
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE), '../evil.yaml': strToU8('x') }));

    // Act
    const loading = loadTemplate(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    await expect(loading).rejects.toThrow(ArtifactError);
    await expect(loading).rejects.toThrow(/"\.\.\/evil\.yaml".*refusing the whole archive/);
  });

  it('refuses the whole archive when an entry is absolute', async () => {
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE), '/etc/cron.d/evil': strToU8('x') }));
    await expect(loadTemplate(client, { ...location, templatePath: 'template.yaml' })).rejects.toThrow(
      /"\/etc\/cron\.d\/evil"/,
    );
  });

  it.each(['/template.yaml', '../template.yaml', 'a/../../template.yaml', 'C:/template.yaml'])(
    'refuses templatePath %j before downloading anything',
    async (templatePath) => {
      // Act
      const loading = loadTemplate(client, { ...location, templatePath });

      // Assess
      await expect(loading).rejects.toThrow(/absolute or contains "\.\."/);
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    },
  );

  it('lists a few entries when the templatePath is not in the archive', async () => {
    // Prepare
    const files = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`file${i}.json`, strToU8('{}')]));
    serve(zipSync(files));

    // Act
    const loading = loadTemplate(client, location);

    // Assess
    await expect(loading).rejects.toThrow(
      /templatePath "cdk\.out\/App\.template\.json" in s3:\/\/artifacts\/source\.zip was not found: the archive holds "file0\.json", .* and 4 more/,
    );
  });

  it('says so when the archive holds no files', async () => {
    serve(zipSync({}));
    await expect(loadTemplate(client, location)).rejects.toThrow(/the archive holds no files/);
  });

  it('refuses an archive whose ContentLength is over the limit, before reading it', async () => {
    // Prepare
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE) }), 10_000);

    // Act
    const loading = loadTemplate(
      client,
      { ...location, templatePath: 'template.yaml' },
      { maxArchiveBytes: 1000 },
    );

    // Assess
    await expect(loading).rejects.toThrow(/is 10000 bytes, more than the 1000 allowed/);
  });

  it('refuses an archive that turns out too big while reading (no ContentLength)', async () => {
    // Prepare
    const random = new Uint8Array(4000).map((_, i) => (i * 7919) % 251);
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE), 'blob.bin': random }, { level: 0 }), null);

    // Act
    const loading = loadTemplate(
      client,
      { ...location, templatePath: 'template.yaml' },
      { maxArchiveBytes: 1000 },
    );

    // Assess
    await expect(loading).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('refuses a template over 1 MB', async () => {
    // Prepare
    const big = strToU8(`# ${'x'.repeat(MAX_TEMPLATE_BYTES)}\n`);
    serve(zipSync({ 'template.yaml': big }));

    // Act
    const loading = loadTemplate(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    await expect(loading).rejects.toThrow(/CloudFormation accepts templates of at most 1048576 bytes/);
  });

  it('refuses a template that is not UTF-8', async () => {
    serve(zipSync({ 'template.yaml': new Uint8Array([0x41, 0xff, 0xfe, 0x42]) }));
    await expect(loadTemplate(client, { ...location, templatePath: 'template.yaml' })).rejects.toThrow(
      /not UTF-8/,
    );
  });

  it('refuses an object that is not a zip archive', async () => {
    serve(strToU8('Resources: {}'));
    await expect(loadTemplate(client, location)).rejects.toThrow(/is not a readable zip archive/);
  });

  it('reads a body that offers only transformToByteArray', async () => {
    // Prepare
    const archive = zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE) });
    s3.on(GetObjectCommand).resolves({
      Body: { transformToByteArray: async () => archive } as unknown as GetObjectCommandOutput['Body'],
    });

    // Act
    const template = await loadTemplate(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    expect(template.body).toBe(YAML_TEMPLATE);
  });

  it('fails clearly when S3 returns no body', async () => {
    s3.on(GetObjectCommand).resolves({});
    await expect(loadTemplate(client, location)).rejects.toThrow(/no readable body/);
  });

  it('names bucket and key when the object cannot be read', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 'The specified key does not exist.', 404));

    // Act
    const loading = loadTemplate(client, location);

    // Assess
    await expect(loading).rejects.toThrow(ArtifactError);
    await expect(loading).rejects.toThrow(
      'Could not read the source artifact s3://artifacts/source.zip: NoSuchKey: The specified key does not exist.',
    );
  });

  it('lets throttling through as retryable', async () => {
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', 503));
    await expect(loadTemplate(client, location)).rejects.toThrow(RetryableError);
  });
});
