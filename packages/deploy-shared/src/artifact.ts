import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
// fflate's Node entry loads worker_threads when it is imported, for its asynchronous API; the
// synchronous unzip used here is the same code in the worker-free build.
import { errorNameOf } from '@cfn-safe-deploy/state-payloads';
import { type UnzipFileInfo, unzipSync } from 'fflate/browser';
import { ArtifactError, classifyAwsError, toTaskError } from './errors.js';

/** Where a file is: a zip (the pipeline's source artifact) in S3 and a path inside it. */
export interface ArtifactFileLocation {
  readonly bucket: string;
  readonly key: string;
  /** The file's path relative to the root of the archive (a leading `./` is allowed). */
  readonly path: string;
  /**
   * What `path` is called in error messages, e.g. `templatePath` when it comes from the input.
   * @default 'file'
   */
  readonly describedAs?: string;
}

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

export interface ArtifactFileLimits extends ArchiveLimits {
  /**
   * The largest file returned; a larger entry is refused without being decompressed.
   * @default DEFAULT_MAX_FILE_BYTES (10 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * Why the file limit is what it is, for the error message (e.g. the consumer's own limit).
   * @default - "the limit is <maxFileBytes> bytes"
   */
  readonly maxFileBytesReason?: string;
}

/** One file of the archive, as text. */
export interface ArtifactFile {
  /** The text, BOM removed. */
  readonly body: string;
  /** Its size in UTF-8 bytes. */
  readonly bytes: number;
}

export const DEFAULT_MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;
/** The largest file `readArtifactFile` returns unless told otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;
const LISTED_ENTRIES = 10;

function where(location: ArtifactFileLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** `file "a/b.json"`, or however the caller calls the path. */
function named(location: ArtifactFileLocation): string {
  return `${location.describedAs ?? 'file'} "${location.path}"`;
}

/** Appended to the messages about the archive as a whole, so that they name the file wanted too. */
function reading(location: ArtifactFileLocation): string {
  return ` (reading the ${named(location)})`;
}

/** An archive entry name or template path that would land outside the extraction root. */
function escapesRoot(path: string): boolean {
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:/.test(path)) return true;
  return path.split(/[/\\]/).includes('..');
}

function normalize(path: string): string {
  return path.replace(/^(\.\/)+/, '');
}

async function readBody(
  body: unknown,
  location: ArtifactFileLocation,
  maxBytes: number,
): Promise<Uint8Array> {
  const tooBig = (size: string) =>
    new ArtifactError(
      `The source artifact ${where(location)} is larger than ${maxBytes} bytes (${size}); refusing to read it into memory${reading(location)}`,
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
  throw new ArtifactError(
    `S3 returned no readable body for the source artifact ${where(location)}${reading(location)}`,
  );
}

async function download(s3: S3Client, location: ArtifactFileLocation, maxBytes: number): Promise<Uint8Array> {
  let response: GetObjectCommandOutput;
  try {
    response = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  } catch (error) {
    const kind = classifyAwsError(error);
    if (kind === 'throttling' || kind === 'transient')
      throw toTaskError(error, 'GetObject', `${where(location)}${reading(location)}`);
    const name = errorNameOf(error) ?? 'an error';
    const message = error instanceof Error ? error.message : String(error);
    throw new ArtifactError(
      `Could not read the source artifact ${where(location)}: ${name}: ${message}${reading(location)}`,
      {
        cause: error,
      },
    );
  }
  if (response.ContentLength !== undefined && response.ContentLength > maxBytes) {
    throw new ArtifactError(
      `The source artifact ${where(location)} is ${response.ContentLength} bytes, more than the ${maxBytes} allowed; refusing to download it${reading(location)}`,
    );
  }
  return readBody(response.Body, location, maxBytes);
}

/**
 * The CRC-32 the archive's central directory records for the entry `name`, or undefined when it
 * cannot be read plainly (no end record, ZIP64 offsets): fflate checks no CRC, and inflates an entry
 * only up to the size it declares, so a CRC that differs means a damaged entry or one that lies
 * about its size (a zip bomb's trick), whose text would otherwise arrive truncated.
 */
function recordedCrc(archive: Uint8Array, name: string): number | undefined {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const lowest = Math.max(0, archive.byteLength - 22 - 0xffff);
  let end = -1;
  for (let at = archive.byteLength - 22; at >= lowest; at -= 1) {
    if (view.getUint32(at, true) === 0x06054b50) {
      end = at;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const decoder = new TextDecoder();
  for (let index = 0; index < count && at + 46 <= archive.byteLength; index += 1) {
    if (view.getUint32(at, true) !== 0x02014b50) return undefined;
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const entryName = decoder.decode(archive.subarray(at + 46, at + 46 + nameLength));
    if (entryName === name) return view.getUint32(at + 16, true);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return undefined;
}

function listEntries(names: readonly string[]): string {
  const files = names.filter((name) => !name.endsWith('/'));
  const shown = files.slice(0, LISTED_ENTRIES).map((name) => `"${name}"`);
  const more = files.length - shown.length;
  if (shown.length === 0) return 'the archive holds no files';
  return `the archive holds ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * Reads the file at `path` from the zip at `bucket`/`key`, as UTF-8 text: refuses oversized archives
 * (before and while downloading), archives with entries that would escape the extraction root
 * (absolute or `..`: zip-slip, the whole archive is refused), a `path` that is absolute or has `..`,
 * files over `maxFileBytes` (without decompressing them), an entry whose content does not match the
 * CRC-32 the archive records (damaged, or lying about its size) and text that is not UTF-8. Every error is
 * an `ArtifactError` naming the bucket, the key and the path; throttling and 5xx are `RetryableError`.
 */
export async function readArtifactFile(
  s3: S3Client,
  location: ArtifactFileLocation,
  limits: ArtifactFileLimits = {},
): Promise<ArtifactFile> {
  const maxArchiveBytes = limits.maxArchiveBytes ?? DEFAULT_MAX_ARCHIVE_BYTES;
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const context = `${named(location)} in ${where(location)}`;
  if (escapesRoot(location.path)) {
    throw new ArtifactError(
      `The ${context} is absolute or contains ".."; expected a path relative to the root of the archive`,
    );
  }
  const wanted = normalize(location.path);
  const archive = await download(s3, location, maxArchiveBytes);

  const entries: UnzipFileInfo[] = [];
  let extracted: Record<string, Uint8Array>;
  try {
    extracted = unzipSync(archive, {
      filter: (file) => {
        entries.push({ ...file });
        return normalize(file.name) === wanted && file.originalSize <= maxFileBytes;
      },
    });
  } catch (error) {
    throw new ArtifactError(
      `The source artifact ${where(location)} is not a readable zip archive: ${error instanceof Error ? error.message : String(error)}${reading(location)}`,
      { cause: error },
    );
  }

  const unsafe = entries.filter((entry) => escapesRoot(entry.name)).map((entry) => `"${entry.name}"`);
  if (unsafe.length > 0) {
    throw new ArtifactError(
      `The source artifact ${where(location)} has entries that would be written outside the extraction directory (absolute paths or ".." segments): ${unsafe.slice(0, LISTED_ENTRIES).join(', ')}; refusing the whole archive${reading(location)}`,
    );
  }
  const entry = entries.find((candidate) => normalize(candidate.name) === wanted);
  if (entry === undefined) {
    throw new ArtifactError(`The ${context} was not found: ${listEntries(entries.map((e) => e.name))}`);
  }
  const data = extracted[entry.name];
  if (entry.originalSize > maxFileBytes || data === undefined || data.byteLength > maxFileBytes) {
    const reason = limits.maxFileBytesReason ?? `the limit is ${maxFileBytes} bytes`;
    throw new ArtifactError(`The ${context} is ${data?.byteLength ?? entry.originalSize} bytes; ${reason}`);
  }
  const recorded = recordedCrc(archive, entry.name);
  if (recorded !== undefined && crc32(data) !== recorded) {
    throw new ArtifactError(
      `The ${context} is damaged or lies about its size (it declares ${entry.originalSize} bytes): its content does not match the CRC-32 the archive records; refusing it`,
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

/** Where a set of paths is: a zip (the pipeline's source artifact) in S3 and paths inside it. */
export interface ArtifactPathsLocation {
  readonly bucket: string;
  readonly key: string;
  /** Files or directories relative to the root of the archive (a leading `./` is allowed). */
  readonly paths: readonly string[];
  /** What the paths are called in error messages, e.g. `asset source`. @default 'path' */
  readonly describedAs?: string;
}

export interface ArtifactExtractLimits extends ArchiveLimits {
  /**
   * The most bytes written in all (each entry's declared size is counted before it is decompressed).
   * @default DEFAULT_MAX_EXTRACTED_BYTES (400 MiB: Lambda's /tmp is 512 MiB by default)
   */
  readonly maxExtractedBytes?: number;
}

export const DEFAULT_MAX_EXTRACTED_BYTES = 400 * 1024 * 1024;

/** What `extractArtifactPaths` wrote: each path asked for, and whether it is a file or a directory. */
export interface ExtractedPaths {
  readonly kinds: ReadonlyMap<string, 'file' | 'directory'>;
  /** The files written, relative to the target directory. */
  readonly files: readonly string[];
  readonly bytes: number;
}

/**
 * Writes the files at `paths` (a file, or every file under a directory) of the zip at
 * `bucket`/`key` into `targetDir`, as bytes, under the same relative paths. Refuses what
 * `readArtifactFile` refuses (oversized or unreadable archives, entries that would escape the
 * extraction root, a path that is absolute or has `..`, an entry whose content does not match its
 * CRC-32), a total over `maxExtractedBytes` (before decompressing), and a path with no entry:
 * every error is an `ArtifactError` naming the bucket, the key and the path.
 */
export async function extractArtifactPaths(
  s3: S3Client,
  location: ArtifactPathsLocation,
  targetDir: string,
  limits: ArtifactExtractLimits = {},
): Promise<ExtractedPaths> {
  const describedAs = location.describedAs ?? 'path';
  const first = location.paths[0] ?? '';
  const fileLocation: ArtifactFileLocation = {
    bucket: location.bucket,
    key: location.key,
    path: first,
    describedAs,
  };
  for (const path of location.paths) {
    if (escapesRoot(path)) {
      throw new ArtifactError(
        `The ${describedAs} "${path}" in ${where(fileLocation)} is absolute or contains ".."; expected a path relative to the root of the archive`,
      );
    }
  }
  const wanted = location.paths.map((path) => normalize(path).replace(/\/+$/, ''));
  const matches = (name: string) =>
    wanted.some((path) => name === path || path === '' || name.startsWith(`${path}/`));
  const maxExtracted = limits.maxExtractedBytes ?? DEFAULT_MAX_EXTRACTED_BYTES;
  const archive = await download(s3, fileLocation, limits.maxArchiveBytes ?? DEFAULT_MAX_ARCHIVE_BYTES);
  const entries: UnzipFileInfo[] = [];
  let declared = 0;
  let extracted: Record<string, Uint8Array>;
  try {
    extracted = unzipSync(archive, {
      filter: (file) => {
        entries.push({ ...file });
        const name = normalize(file.name);
        if (name.endsWith('/') || !matches(name) || escapesRoot(file.name)) return false;
        declared += file.originalSize;
        return declared <= maxExtracted;
      },
    });
  } catch (error) {
    throw new ArtifactError(
      `The source artifact ${where(fileLocation)} is not a readable zip archive: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const unsafe = entries.filter((entry) => escapesRoot(entry.name)).map((entry) => `"${entry.name}"`);
  if (unsafe.length > 0) {
    throw new ArtifactError(
      `The source artifact ${where(fileLocation)} has entries that would be written outside the extraction directory (absolute paths or ".." segments): ${unsafe.slice(0, LISTED_ENTRIES).join(', ')}; refusing the whole archive`,
    );
  }
  if (declared > maxExtracted) {
    throw new ArtifactError(
      `The ${describedAs}s ${wanted.map((path) => `"${path}"`).join(', ')} in ${where(fileLocation)} hold more than ${maxExtracted} bytes (they declare ${declared}); refusing to extract them`,
    );
  }
  const kinds = new Map<string, 'file' | 'directory'>();
  for (const [index, path] of wanted.entries()) {
    const names = entries.map((entry) => normalize(entry.name));
    if (names.includes(path) && !path.endsWith('/')) kinds.set(location.paths[index] ?? path, 'file');
    else if (names.some((name) => name.startsWith(`${path}/`)))
      kinds.set(location.paths[index] ?? path, 'directory');
    else {
      throw new ArtifactError(
        `The ${describedAs} "${location.paths[index]}" in ${where(fileLocation)} was not found: ${listEntries(entries.map((e) => e.name))}`,
      );
    }
  }
  const files: string[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const data = extracted[entry.name];
    if (data === undefined) continue;
    const name = normalize(entry.name);
    const recorded = recordedCrc(archive, entry.name);
    if (data.byteLength !== entry.originalSize || (recorded !== undefined && crc32(data) !== recorded)) {
      throw new ArtifactError(
        `The entry "${name}" of ${where(fileLocation)} is damaged or lies about its size (it declares ${entry.originalSize} bytes); refusing it`,
      );
    }
    const target = join(targetDir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    files.push(name);
    bytes += data.byteLength;
  }
  return { kinds, files, bytes };
}
