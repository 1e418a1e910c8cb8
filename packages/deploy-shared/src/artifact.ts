import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { type UnzipFileInfo, unzipSync } from 'fflate';
import { ArtifactError, classifyAwsError, toTaskError } from './errors.js';

/** Where the template is: a zip (the pipeline's source artifact) in S3 and a path inside it. */
export interface ArtifactLocation {
  readonly bucket: string;
  readonly key: string;
  readonly templatePath: string;
}

export interface ArchiveLimits {
  /** The largest archive read into memory. @default DEFAULT_MAX_ARCHIVE_BYTES (256 MiB) */
  readonly maxArchiveBytes?: number;
}

export interface LoadedTemplate {
  /** The template text, BOM removed. */
  readonly body: string;
  /** Its size in UTF-8 bytes, as CloudFormation counts it. */
  readonly bytes: number;
}

export const DEFAULT_MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;
/** CloudFormation's limit for a template read from S3 (1 MB). */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;
const LISTED_ENTRIES = 10;

function where(location: ArtifactLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** An archive entry name or template path that would land outside the extraction root. */
function escapesRoot(path: string): boolean {
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) return true;
  return path.split(/[/\\]/).includes('..');
}

function normalize(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

async function readBody(body: unknown, location: ArtifactLocation, maxBytes: number): Promise<Uint8Array> {
  const tooBig = (size: string) =>
    new ArtifactError(
      `The source artifact ${where(location)} is larger than ${maxBytes} bytes (${size}); refusing to read it into memory`,
    );
  if (body !== null && typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const stream = body as AsyncIterable<Uint8Array | string> & { destroy?: () => void };
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += bytes.byteLength;
      if (total > maxBytes) {
        stream.destroy?.();
        throw tooBig(`read ${total} bytes so far`);
      }
      chunks.push(bytes);
    }
    return Buffer.concat(chunks, total);
  }
  if (body !== null && typeof body === 'object' && 'transformToByteArray' in body) {
    const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    if (bytes.byteLength > maxBytes) throw tooBig(`${bytes.byteLength} bytes`);
    return bytes;
  }
  throw new ArtifactError(`S3 returned no readable body for the source artifact ${where(location)}`);
}

async function download(s3: S3Client, location: ArtifactLocation, maxBytes: number): Promise<Uint8Array> {
  let response: GetObjectCommandOutput;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  } catch (error) {
    const kind = classifyAwsError(error);
    if (kind === 'throttling' || kind === 'transient') throw toTaskError(error, 'GetObject', where(location));
    const name = error instanceof Error ? error.name : 'an error';
    const message = error instanceof Error ? error.message : String(error);
    throw new ArtifactError(`Could not read the source artifact ${where(location)}: ${name}: ${message}`, {
      cause: error,
    });
  }
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
    throw new ArtifactError(
      `The source artifact ${where(location)} is ${response.ContentLength} bytes, more than the ${maxBytes} allowed; refusing to download it`,
    );
  }
  return readBody(response.Body, location, maxBytes);
}

function listEntries(names: readonly string[]): string {
  const files = names.filter((name) => !name.endsWith('/'));
  const shown = files.slice(0, LISTED_ENTRIES).map((name) => `"${name}"`);
  const more = files.length - shown.length;
  if (shown.length === 0) return 'the archive holds no files';
  return `the archive holds ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * Reads the template at `templatePath` from the zip at `bucket`/`key`: refuses oversized archives
 * (before and while downloading), archives with entries that would escape the extraction root
 * (absolute or `..`: zip-slip), templates over CloudFormation's 1 MB and text that is not UTF-8.
 */
export async function loadTemplate(
  s3: S3Client,
  location: ArtifactLocation,
  limits: ArchiveLimits = {},
): Promise<LoadedTemplate> {
  const maxBytes = limits.maxArchiveBytes ?? DEFAULT_MAX_ARCHIVE_BYTES;
  const context = `templatePath "${location.templatePath}" in ${where(location)}`;
  if (escapesRoot(location.templatePath)) {
    throw new ArtifactError(
      `The ${context} is absolute or contains ".."; expected a path relative to the root of the archive`,
    );
  }
  const wanted = normalize(location.templatePath);
  const archive = await download(s3, location, maxBytes);

  const entries: UnzipFileInfo[] = [];
  let extracted: Record<string, Uint8Array>;
  try {
    extracted = unzipSync(archive, {
      filter: (file) => {
        entries.push({ ...file });
        return normalize(file.name) === wanted && file.originalSize <= MAX_TEMPLATE_BYTES;
      },
    });
  } catch (error) {
    throw new ArtifactError(
      `The source artifact ${where(location)} is not a readable zip archive: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  const unsafe = entries.filter((entry) => escapesRoot(entry.name)).map((entry) => `"${entry.name}"`);
  if (unsafe.length > 0) {
    throw new ArtifactError(
      `The source artifact ${where(location)} has entries that would be written outside the extraction directory (absolute paths or ".." segments): ${unsafe.slice(0, LISTED_ENTRIES).join(', ')}; refusing the whole archive`,
    );
  }
  const entry = entries.find((candidate) => normalize(candidate.name) === wanted);
  if (entry === undefined) {
    throw new ArtifactError(`The ${context} was not found: ${listEntries(entries.map((e) => e.name))}`);
  }
  const data = extracted[entry.name];
  if (entry.originalSize > MAX_TEMPLATE_BYTES || data === undefined || data.byteLength > MAX_TEMPLATE_BYTES) {
    throw new ArtifactError(
      `The ${context} is ${data?.byteLength ?? entry.originalSize} bytes; CloudFormation accepts templates of at most ${MAX_TEMPLATE_BYTES} bytes`,
    );
  }
  let body: string;
  try {
    body = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch (error) {
    throw new ArtifactError(`The ${context} is not UTF-8 text`, { cause: error });
  }
  if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
  return { body, bytes: Buffer.byteLength(body, 'utf8') };
}
