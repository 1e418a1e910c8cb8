import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  MAX_TEMPLATE_BODY_BYTES,
  MAX_TEMPLATE_BODY_STATE_BYTES,
  type TemplateSource,
} from '@cfn-safe-deploy/state-payloads';
import type { ArtifactFile } from './artifact.js';
import { ArtifactError, toTaskError } from './errors.js';

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

/** Why a template cannot go inline, or undefined when it can. */
function whyStaged(template: ArtifactFile): string | undefined {
  if (template.bytes > MAX_TEMPLATE_BODY_BYTES) {
    return `The template is ${template.bytes} bytes, more than the ${MAX_TEMPLATE_BODY_BYTES} CloudFormation accepts inline`;
  }
  const stateBytes = Buffer.byteLength(JSON.stringify(template.body), 'utf8');
  if (stateBytes > MAX_TEMPLATE_BODY_STATE_BYTES) {
    return `The template is ${template.bytes} bytes but ${stateBytes} as JSON in the Step Functions state, more than the ${MAX_TEMPLATE_BODY_STATE_BYTES} kept there`;
  }
  return undefined;
}

/**
 * The template as the state carries it to CreateStack / CreateChangeSet: inline up to 51,200 bytes
 * (when its JSON encoding also fits the state's share), otherwise uploaded to the staging bucket
 * (TEMPLATE_BUCKET) and referred to by URL.
 */
export async function stageTemplate(
  s3: S3Client,
  template: ArtifactFile,
  staging: { readonly bucket?: string; readonly key: string },
): Promise<TemplateSource> {
  const reason = whyStaged(template);
  if (reason === undefined) return { body: template.body, bytes: template.bytes };
  if (staging.bucket === undefined || staging.bucket === '') {
    throw new ArtifactError(
      `${reason}, and TEMPLATE_BUCKET is not set; set it to a bucket the function may write to and CloudFormation may read from`,
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
  return { url: await objectUrl(s3, staging.bucket, staging.key), bytes: template.bytes };
}
