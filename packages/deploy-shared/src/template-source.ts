import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ExecutionInput } from '@cfn-safe-deploy/state-payloads';
import { type LoadedTemplate, loadTemplate } from './artifact.js';
import type { DeployConfig } from './config.js';
import { ArtifactError, toTaskError } from './errors.js';

/** CloudFormation's limit for an inline TemplateBody; larger templates go through S3 (TemplateURL). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

export type TemplateSource = { TemplateBody: string } | { TemplateURL: string };

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

async function objectUrl(s3: S3Client, bucket: string, key: string): Promise<string> {
  if (s3.config.isCustomEndpoint && s3.config.endpoint) {
    const endpoint = await s3.config.endpoint();
    const port = endpoint.port ? `:${endpoint.port}` : '';
    const path = endpoint.path.replace(/\/+$/, '');
    return `${endpoint.protocol}//${endpoint.hostname}${port}${path}/${bucket}/${encodeKey(key)}`;
  }
  const region = await s3.config.region();
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://${bucket}.s3.${region}.${domain}/${encodeKey(key)}`;
}

/**
 * How CreateStack / CreateChangeSet receive the template: inline up to 51,200 bytes, otherwise
 * uploaded to the staging bucket (TEMPLATE_BUCKET) and passed as a TemplateURL.
 */
export async function templateSource(
  s3: S3Client,
  template: LoadedTemplate,
  staging: { readonly bucket?: string; readonly key: string },
): Promise<TemplateSource> {
  if (template.bytes <= MAX_TEMPLATE_BODY_BYTES) return { TemplateBody: template.body };
  if (staging.bucket === undefined || staging.bucket === '') {
    throw new ArtifactError(
      `The template is ${template.bytes} bytes, more than the ${MAX_TEMPLATE_BODY_BYTES} CloudFormation accepts inline, and TEMPLATE_BUCKET is not set; set it to a bucket the function may write to and CloudFormation may read from`,
    );
  }
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: staging.bucket,
        Key: staging.key,
        Body: template.body,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
  } catch (error) {
    throw toTaskError(error, 'PutObject', `s3://${staging.bucket}/${staging.key}`);
  }
  return { TemplateURL: await objectUrl(s3, staging.bucket, staging.key) };
}

/**
 * The deployment's template as CreateStack / CreateChangeSet take it: read from the source
 * artifact at the input's templatePath, then inline or staged at
 * `templates/<stackName>/<deploymentId>.template` in the staging bucket.
 */
export async function deploymentTemplateSource(
  s3: S3Client,
  input: ExecutionInput,
  target: { readonly stackName: string; readonly deploymentId: string },
  config: Pick<DeployConfig, 'maxArchiveBytes' | 'templateBucket'>,
): Promise<TemplateSource> {
  const template = await loadTemplate(
    s3,
    { bucket: input.revisionS3Bucket, key: input.revisionS3Key, templatePath: input.templatePath },
    { maxArchiveBytes: config.maxArchiveBytes },
  );
  return templateSource(s3, template, {
    ...(config.templateBucket === undefined ? {} : { bucket: config.templateBucket }),
    key: `templates/${target.stackName}/${target.deploymentId}.template`,
  });
}
