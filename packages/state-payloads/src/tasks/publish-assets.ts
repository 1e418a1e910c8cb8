import * as z from 'zod/mini';
import { BucketSchema, KeySchema } from '../input-fields.js';
import { DeploymentIdSchema } from '../schemas-common.js';

/** A path inside the source artifact: relative, no `..`, no backslash. */
const ArtifactPathSchema = z.string().check(
  z.minLength(1, 'must be a path inside the source artifact'),
  z.maxLength(1024),
  z.refine(
    (path) => !path.startsWith('/') && !path.includes('\\') && !path.split('/').includes('..'),
    'must be a path relative to the root of the source artifact, without ".." or "\\"',
  ),
  z.refine(
    (path) => path.endsWith('.json'),
    'must be an asset manifest (a .json file, e.g. cdk.out/Service.assets.json)',
  ),
);

/** What one file asset's publication did: uploaded, or found already at its destination. */
export const PublishedAssetSchema = z.object({
  /** The manifest the asset is in (its path in the source artifact). */
  manifest: z.string(),
  assetId: z.string(),
  destinationId: z.string(),
  /** `s3://bucket/key`, placeholders resolved. */
  destination: z.string(),
  action: z.enum(['uploaded', 'already-published']),
});
export type PublishedAsset = z.infer<typeof PublishedAssetSchema>;

export const AssetsPublishedSchema = z.object({
  assets: z.array(PublishedAssetSchema),
});
export type AssetsPublished = z.infer<typeof AssetsPublishedSchema>;

/**
 * Publishes the file assets of the cloud assembly in the source artifact (the zip at
 * `input.revisionS3Bucket`/`input.revisionS3Key`), manifest by manifest (`input.assetManifests`,
 * set by the Trigger on the first stack of an assembly), to their destinations.
 */
export const publishAssetsTask = {
  name: 'publishAssets',
  functionName: 'publish-assets',
  resultKey: 'assets',
  input: z.object({
    input: z.object({
      revisionS3Bucket: BucketSchema,
      revisionS3Key: KeySchema,
      assetManifests: z
        .array(ArtifactPathSchema)
        .check(z.minLength(1, 'must name at least one asset manifest'), z.maxLength(100)),
    }),
    deploymentId: z.optional(DeploymentIdSchema),
  }),
  result: AssetsPublishedSchema,
} as const;
export type PublishAssetsInput = z.infer<typeof publishAssetsTask.input>;
