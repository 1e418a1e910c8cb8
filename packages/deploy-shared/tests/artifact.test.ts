import { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { strToU8, zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ArchiveLimits, DEFAULT_MAX_FILE_BYTES, readArtifactFile } from '../src/artifact.js';
import { ArtifactError, RetryableError } from '../src/errors.js';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });
const location = { bucket: 'artifacts', key: 'source.zip', templatePath: 'cdk.out/App.template.json' };

const YAML_TEMPLATE = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n';
const JSON_TEMPLATE = JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue' } } });

/** Reads `templatePath` as Load Template does: the path is named `templatePath` in every message. */
function readTemplatePath(
  s3Client: S3Client,
  where: { bucket: string; key: string; templatePath: string },
  limits: ArchiveLimits = {},
) {
  return readArtifactFile(
    s3Client,
    { bucket: where.bucket, key: where.key, path: where.templatePath, describedAs: 'templatePath' },
    limits,
  );
}

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

describe('readArtifactFile of a templatePath', () => {
  it('reads a JSON template from a folder in the archive', async () => {
    // Prepare
    serve(
      zipSync({ cdk: { 'x.txt': strToU8('x') }, 'cdk.out': { 'App.template.json': strToU8(JSON_TEMPLATE) } }),
    );

    // Act
    const template = await readTemplatePath(client, location);

    // Assess
    expect(template).toEqual({ body: JSON_TEMPLATE, bytes: JSON_TEMPLATE.length });
  });

  it('reads a YAML template and counts UTF-8 bytes', async () => {
    // Prepare
    const yaml = `${YAML_TEMPLATE}Description: café\n`;
    serve(zipSync({ 'template.yaml': strToU8(yaml) }));

    // Act
    const template = await readTemplatePath(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    expect(template.body).toBe(yaml);
    expect(template.bytes).toBe(Buffer.byteLength(yaml));
  });

  it('strips a UTF-8 byte order mark', async () => {
    // Prepare
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(YAML_TEMPLATE)]);
    serve(zipSync({ 'template.yaml': withBom }));

    // Act
    const template = await readTemplatePath(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    expect(template.body).toBe(YAML_TEMPLATE);
    expect(template.bytes).toBe(YAML_TEMPLATE.length);
  });

  it('accepts a templatePath written with a leading ./', async () => {
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE) }));
    const template = await readTemplatePath(client, { ...location, templatePath: './template.yaml' });
    expect(template.body).toBe(YAML_TEMPLATE);
  });

  it('refuses the whole archive when an entry climbs out with ".." (zip-slip)', async () => {
    // Prepare
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE), '../evil.yaml': strToU8('x') }));

    // Act
    const loading = readTemplatePath(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    await expect(loading).rejects.toThrow(ArtifactError);
    await expect(loading).rejects.toThrow(/"\.\.\/evil\.yaml".*refusing the whole archive/);
  });

  it('refuses the whole archive when an entry is absolute', async () => {
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE), '/etc/cron.d/evil': strToU8('x') }));
    await expect(readTemplatePath(client, { ...location, templatePath: 'template.yaml' })).rejects.toThrow(
      /"\/etc\/cron\.d\/evil"/,
    );
  });

  it.each(['/template.yaml', '../template.yaml', 'a/../../template.yaml', 'C:/template.yaml'])(
    'refuses templatePath %j before downloading anything',
    async (templatePath) => {
      // Act
      const loading = readTemplatePath(client, { ...location, templatePath });

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
    const loading = readTemplatePath(client, location);

    // Assess
    await expect(loading).rejects.toThrow(
      /templatePath "cdk\.out\/App\.template\.json" in s3:\/\/artifacts\/source\.zip was not found: the archive holds "file0\.json", .* and 4 more/,
    );
  });

  it('says so when the archive holds no files', async () => {
    serve(zipSync({}));
    await expect(readTemplatePath(client, location)).rejects.toThrow(/the archive holds no files/);
  });

  it('refuses an archive whose ContentLength is over the limit, before reading it', async () => {
    // Prepare
    serve(zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE) }), 10_000);

    // Act
    const loading = readTemplatePath(
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
    const loading = readTemplatePath(
      client,
      { ...location, templatePath: 'template.yaml' },
      { maxArchiveBytes: 1000 },
    );

    // Assess
    await expect(loading).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('refuses a template that is not UTF-8', async () => {
    serve(zipSync({ 'template.yaml': new Uint8Array([0x41, 0xff, 0xfe, 0x42]) }));
    await expect(readTemplatePath(client, { ...location, templatePath: 'template.yaml' })).rejects.toThrow(
      /not UTF-8/,
    );
  });

  it('refuses an object that is not a zip archive', async () => {
    serve(strToU8('Resources: {}'));
    await expect(readTemplatePath(client, location)).rejects.toThrow(/is not a readable zip archive/);
  });

  it('reads a body that offers only transformToByteArray', async () => {
    // Prepare
    const archive = zipSync({ 'template.yaml': strToU8(YAML_TEMPLATE) });
    s3.on(GetObjectCommand).resolves({
      Body: { transformToByteArray: async () => archive } as unknown as GetObjectCommandOutput['Body'],
    });

    // Act
    const template = await readTemplatePath(client, { ...location, templatePath: 'template.yaml' });

    // Assess
    expect(template.body).toBe(YAML_TEMPLATE);
  });

  it('fails clearly when S3 returns no body', async () => {
    s3.on(GetObjectCommand).resolves({});
    await expect(readTemplatePath(client, location)).rejects.toThrow(/no readable body/);
  });

  it('names bucket and key when the object cannot be read', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 'The specified key does not exist.', 404));

    // Act
    const loading = readTemplatePath(client, location);

    // Assess
    await expect(loading).rejects.toThrow(ArtifactError);
    await expect(loading).rejects.toThrow(
      'Could not read the source artifact s3://artifacts/source.zip: NoSuchKey: The specified key does not exist.',
    );
  });

  it('lets throttling through as retryable', async () => {
    s3.on(GetObjectCommand).rejects(awsError('SlowDown', 'Please reduce your request rate.', 503));
    await expect(readTemplatePath(client, location)).rejects.toThrow(RetryableError);
  });
});

describe('readArtifactFile', () => {
  const file = { bucket: 'artifacts', key: 'source.zip', path: 'config/state_machine_input.json' };
  const INPUT = JSON.stringify({ environmentName: 'prod', stackName: 'app' });

  it('reads one file of the archive as text', async () => {
    // Prepare
    serve(
      zipSync({ config: { 'state_machine_input.json': strToU8(INPUT) }, 'App.template.json': strToU8('{}') }),
    );

    // Act
    const read = await readArtifactFile(client, file);

    // Assess
    expect(read).toEqual({ body: INPUT, bytes: INPUT.length });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'artifacts',
      Key: 'source.zip',
    });
  });

  it('strips a byte order mark and counts UTF-8 bytes', async () => {
    // Prepare
    const text = '{"description": "café"}';
    serve(
      zipSync({ 'config/state_machine_input.json': new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(text)]) }),
    );

    // Act
    const read = await readArtifactFile(client, file);

    // Assess
    expect(read.body).toBe(text);
    expect(read.bytes).toBe(Buffer.byteLength(text));
  });

  it('speaks of the file, naming bucket, key and path, when the path is not in the archive', async () => {
    // Prepare
    serve(zipSync({ 'App.template.json': strToU8('{}') }));

    // Act
    const reading = readArtifactFile(client, file);

    // Assess
    await expect(reading).rejects.toThrow(ArtifactError);
    await expect(reading).rejects.toThrow(
      'The file "config/state_machine_input.json" in s3://artifacts/source.zip was not found: the archive holds "App.template.json"',
    );
    await expect(reading).rejects.not.toThrow(/template(Path)? "/);
  });

  it('uses the name the caller gives the path', async () => {
    serve(zipSync({ 'App.template.json': strToU8('{}') }));
    await expect(readArtifactFile(client, { ...file, describedAs: 'stateMachineFile' })).rejects.toThrow(
      'The stateMachineFile "config/state_machine_input.json" in s3://artifacts/source.zip was not found',
    );
  });

  it('refuses the whole archive on a zip-slip entry, naming the file it was reading', async () => {
    // Prepare
    serve(zipSync({ 'config/state_machine_input.json': strToU8(INPUT), '../../etc/passwd': strToU8('x') }));

    // Act
    const reading = readArtifactFile(client, file);

    // Assess
    await expect(reading).rejects.toThrow(ArtifactError);
    await expect(reading).rejects.toThrow(
      /s3:\/\/artifacts\/source\.zip has entries .*"\.\.\/\.\.\/etc\/passwd"; refusing the whole archive \(reading the file "config\/state_machine_input\.json"\)/,
    );
  });

  it.each(['/etc/passwd', '../state_machine_input.json', 'config/../../x.json', 'D:\\x.json'])(
    'refuses the path %j before downloading anything',
    async (path) => {
      // Act
      const reading = readArtifactFile(client, { ...file, path });

      // Assess
      await expect(reading).rejects.toThrow(
        `The file "${path}" in s3://artifacts/source.zip is absolute or contains ".."`,
      );
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    },
  );

  it('refuses a file over maxFileBytes, with the reason given', async () => {
    // Prepare
    serve(zipSync({ 'config/state_machine_input.json': strToU8('x'.repeat(2001)) }));

    // Act
    const reading = readArtifactFile(client, file, {
      maxFileBytes: 2000,
      maxFileBytesReason: 'the consumer accepts at most 2000 bytes',
    });

    // Assess
    await expect(reading).rejects.toThrow(
      'The file "config/state_machine_input.json" in s3://artifacts/source.zip is 2001 bytes; the consumer accepts at most 2000 bytes',
    );
  });

  it('refuses a file over the default limit (10 MiB)', async () => {
    // Prepare
    serve(zipSync({ 'config/state_machine_input.json': new Uint8Array(DEFAULT_MAX_FILE_BYTES + 1) }));

    // Act
    const reading = readArtifactFile(client, file);

    // Assess
    await expect(reading).rejects.toThrow(
      `is ${DEFAULT_MAX_FILE_BYTES + 1} bytes; the limit is ${DEFAULT_MAX_FILE_BYTES} bytes`,
    );
  });

  it('refuses a zip bomb that lies about its size, never inflating more than it declares', async () => {
    // Prepare: 20 MB of "x" compresses to about 20 KB; the headers then claim 100 bytes.
    const bomb = zipSync(
      { 'config/state_machine_input.json': strToU8('x'.repeat(20_000_000)) },
      { level: 9 },
    );
    const view = new DataView(bomb.buffer, bomb.byteOffset, bomb.byteLength);
    for (let at = 0; at + 4 <= bomb.byteLength; at += 1) {
      const signature = view.getUint32(at, true);
      if (signature === 0x04034b50) view.setUint32(at + 22, 100, true); // local header: uncompressed size
      if (signature === 0x02014b50) view.setUint32(at + 24, 100, true); // central directory: uncompressed size
    }
    serve(bomb);

    // Act
    const reading = readArtifactFile(client, file, { maxFileBytes: 2000 });

    // Assess
    expect(bomb.byteLength).toBeLessThan(100_000);
    await expect(reading).rejects.toThrow(
      'The file "config/state_machine_input.json" in s3://artifacts/source.zip is damaged or lies about its size (it declares 100 bytes): its content does not match the CRC-32 the archive records',
    );
  });

  it('refuses an entry whose content does not match its recorded CRC-32 (damaged)', async () => {
    // Prepare: one stored (uncompressed) byte changed after zipping.
    const archive = zipSync({ 'config/state_machine_input.json': strToU8(INPUT) }, { level: 0 });
    const at = Buffer.from(archive).indexOf('environmentName');
    archive[at] = 'E'.charCodeAt(0);
    serve(archive);

    // Act
    const reading = readArtifactFile(client, file);

    // Assess
    await expect(reading).rejects.toThrow('does not match the CRC-32 the archive records');
  });

  it('accepts a file of exactly maxFileBytes', async () => {
    serve(zipSync({ 'config/state_machine_input.json': strToU8('x'.repeat(2000)) }));
    const read = await readArtifactFile(client, file, { maxFileBytes: 2000 });
    expect(read.bytes).toBe(2000);
  });

  it('refuses an archive over maxArchiveBytes before reading it', async () => {
    serve(zipSync({ 'config/state_machine_input.json': strToU8(INPUT) }), 5000);
    await expect(readArtifactFile(client, file, { maxArchiveBytes: 4000 })).rejects.toThrow(
      /s3:\/\/artifacts\/source\.zip is 5000 bytes, more than the 4000 allowed; refusing to download it \(reading the file "config\/state_machine_input\.json"\)/,
    );
  });

  it('refuses a file that is not UTF-8', async () => {
    serve(zipSync({ 'config/state_machine_input.json': new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]) }));
    await expect(readArtifactFile(client, file)).rejects.toThrow(
      'The file "config/state_machine_input.json" in s3://artifacts/source.zip is not UTF-8 text',
    );
  });

  it('names bucket, key and path when the object cannot be read', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));

    // Act
    const reading = readArtifactFile(client, file);

    // Assess
    await expect(reading).rejects.toThrow(ArtifactError);
    await expect(reading).rejects.toThrow(
      'Could not read the source artifact s3://artifacts/source.zip: AccessDenied: Access Denied (reading the file "config/state_machine_input.json")',
    );
  });

  it('lets a 5xx through as retryable', async () => {
    s3.on(GetObjectCommand).rejects(awsError('InternalError', 'We encountered an internal error.', 500));
    await expect(readArtifactFile(client, file)).rejects.toThrow(RetryableError);
  });
});
