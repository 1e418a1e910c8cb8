import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import {
  AssetManifest,
  AssetPublishing,
  DestinationPattern,
  DockerImageManifestEntry,
  EventType,
  type IAws,
  type IPublishProgress,
} from '@aws-cdk/cdk-assets-lib';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  ArtifactError,
  type ArtifactExtractLimits,
  extractArtifactPaths,
} from '@cfn-safe-deploy/deploy-shared';
import type { AssetsPublished, PublishAssetsInput, PublishedAsset } from '@cfn-safe-deploy/state-payloads';

export interface PublishAssetsDeps {
  /** Reads the source artifact (the Lambda's role; the artifact bucket is the pipeline's). */
  readonly s3: S3Client;
  /** What cdk-assets-lib publishes with (LambdaAws in the Lambda). */
  readonly aws: IAws;
  /** Where the work directory is made. @default os.tmpdir() (Lambda's /tmp) */
  readonly workRoot?: string;
  readonly limits?: ArtifactExtractLimits;
  /** Hears each of the library's progress messages. @default nothing */
  readonly log?: (message: string) => void;
}

interface ManifestInWork {
  readonly path: string;
  readonly manifest: AssetManifest;
}

function s3UrlIn(message: string): string | undefined {
  return /s3:\/\/\S+/.exec(message)?.[0];
}

/** The artifact paths every file asset of `manifest` (at `manifestPath`) needs (images need none here). */
function sourcePaths(manifestPath: string, manifest: AssetManifest): string[] {
  return manifest.files.map((entry) => {
    if (entry.source.executable !== undefined) {
      throw new ArtifactError(
        `${manifestPath}: file asset ${entry.id.assetId} is made by a command (${entry.source.executable.join(' ')}), which is not run here; the build stage must publish it`,
      );
    }
    if (entry.source.path === undefined) {
      throw new ArtifactError(`${manifestPath}: file asset ${entry.id.assetId} has no source path`);
    }
    const path = posix.normalize(posix.join(posix.dirname(manifestPath), entry.source.path));
    if (path.startsWith('../') || path === '..' || posix.isAbsolute(path)) {
      throw new ArtifactError(
        `${manifestPath}: the source of file asset ${entry.id.assetId} ("${entry.source.path}") is outside the source artifact`,
      );
    }
    return path;
  });
}

async function readManifest(workDir: string, path: string): Promise<AssetManifest> {
  const file = join(workDir, path);
  try {
    return AssetManifest.fromFile(file);
  } catch (error) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // reported below as empty
    }
    throw new ArtifactError(
      `${path} is not an asset manifest: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}${text === '' ? ' (empty)' : ''}`,
    );
  }
}

/**
 * Publishes the file assets of the asset manifests named in the input, from the source artifact,
 * with @aws-cdk/cdk-assets-lib: the manifests and then the asset sources they name are extracted
 * into a fresh directory under /tmp (bounded, no path escapes), `${AWS::AccountId}`, `${AWS::Region}`
 * and `${AWS::Partition}` are resolved by the library through `deps.aws`, and an asset already at
 * its destination is not uploaded again (the library checks). The work directory is removed after.
 */
export async function publishAssets(
  input: PublishAssetsInput,
  deps: PublishAssetsDeps,
): Promise<AssetsPublished> {
  const location = { bucket: input.input.revisionS3Bucket, key: input.input.revisionS3Key };
  const workDir = mkdtempSync(join(deps.workRoot ?? tmpdir(), 'publish-assets-'));
  try {
    const manifests = [...new Set(input.input.assetManifests)];
    await extractArtifactPaths(
      deps.s3,
      { ...location, paths: manifests, describedAs: 'asset manifest' },
      workDir,
      deps.limits,
    );
    const inWork: ManifestInWork[] = [];
    const sources = new Set<string>();
    for (const path of manifests) {
      const manifest = await readManifest(workDir, path);
      for (const source of sourcePaths(path, manifest)) sources.add(source);
      inWork.push({ path, manifest });
    }
    if (sources.size > 0) {
      await extractArtifactPaths(
        deps.s3,
        { ...location, paths: [...sources], describedAs: 'asset source' },
        workDir,
        deps.limits,
      );
    }
    const published: PublishedAsset[] = [];
    for (const { path, manifest } of inWork) {
      published.push(...(await publishManifest(path, manifest, deps)));
    }
    return { assets: published };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Container images are built and pushed by the build stage (it has Docker; a Lambda has not): each
 * image asset must already be in its ECR repository, with its tag. Any that is not fails the
 * deployment, naming it, before any stack is looked at.
 */
async function checkImages(
  path: string,
  manifest: AssetManifest,
  deps: PublishAssetsDeps,
): Promise<PublishedAsset[]> {
  const images = manifest.entries.filter(
    (entry): entry is DockerImageManifestEntry => entry instanceof DockerImageManifestEntry,
  );
  if (images.length === 0) return [];
  const checking = new AssetPublishing(manifest, {
    aws: deps.aws,
    throwOnError: false,
    buildAssets: false,
    publishAssets: false,
    quiet: true,
  });
  const missing: string[] = [];
  const found: PublishedAsset[] = [];
  for (const entry of images) {
    const where = `${entry.destination.repositoryName}:${entry.destination.imageTag}`;
    if (await checking.isEntryPublished(entry)) {
      found.push({
        manifest: path,
        assetId: entry.id.assetId,
        destinationId: entry.id.destinationId,
        destination: `ecr://${where}`,
        action: 'already-published',
      });
    } else {
      missing.push(`${entry.id.assetId} (ECR ${where})`);
    }
  }
  if (missing.length > 0) {
    throw new ArtifactError(
      `${path}: container image asset${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not published: images are never built here (a Lambda has no Docker); the build stage must publish them (cdk-assets publish) before the Deploy action, and no stack is deployed without them`,
    );
  }
  return found;
}

async function publishManifest(
  path: string,
  manifest: AssetManifest,
  deps: PublishAssetsDeps,
): Promise<PublishedAsset[]> {
  const images = await checkImages(path, manifest, deps);
  if (manifest.files.length === 0) return images;
  // The files only: the image entries were checked above and are never built here.
  const files = manifest.select(
    manifest.files.map((entry) => DestinationPattern.parse(`${entry.id.assetId}:${entry.id.destinationId}`)),
  );
  return [...images, ...(await publishFiles(path, files, deps))];
}

async function publishFiles(
  path: string,
  manifest: AssetManifest,
  deps: PublishAssetsDeps,
): Promise<PublishedAsset[]> {
  // What the library said of each destination (its events carry the resolved s3:// URL).
  const uploaded = new Set<string>();
  const found = new Set<string>();
  const publishing = new AssetPublishing(manifest, {
    aws: deps.aws,
    throwOnError: false,
    publishInParallel: false,
    buildAssets: true,
    publishAssets: true,
    quiet: true,
    progressListener: {
      onPublishEvent(type: EventType, event: IPublishProgress) {
        deps.log?.(`${type}: ${event.message}`);
        const url = s3UrlIn(event.message);
        if (url === undefined) return;
        if (type === EventType.UPLOAD) uploaded.add(url);
        if (type === EventType.FOUND) found.add(url);
      },
    },
  });
  await publishing.publish();
  const [failure] = publishing.failures;
  if (failure !== undefined) {
    const cause = failure.error;
    const names = publishing.failures.map((each) => each.asset.id.toString()).join(', ');
    // An AWS error keeps its name (throttling, 5xx stay retryable); anything else is the library's own.
    if ('$metadata' in cause) throw cause;
    throw new Error(`${path}: publishing ${names} failed: ${cause.message}`, { cause });
  }
  return manifest.files.map((entry) => {
    const key = `/${entry.destination.objectKey}`;
    const upload = [...uploaded].find((url) => url.endsWith(key));
    const destination =
      upload ??
      [...found].find((url) => url.endsWith(key)) ??
      `s3://${entry.destination.bucketName}/${entry.destination.objectKey}`;
    return {
      manifest: path,
      assetId: entry.id.assetId,
      destinationId: entry.id.destinationId,
      destination,
      action: upload === undefined ? 'already-published' : 'uploaded',
    };
  });
}
