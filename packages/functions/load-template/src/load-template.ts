import type { S3Client } from '@aws-sdk/client-s3';
import { type DeployConfig, readArtifactFile, stageTemplate } from '@cfn-safe-deploy/deploy-shared';
import {
  MAX_TEMPLATE_BYTES,
  stackNameFor,
  type TaskInput,
  type TemplateSource,
} from '@cfn-safe-deploy/state-payloads';

/** CloudFormation's limit for a template read from S3 (1 MB), one definition in state-payloads. */
export { MAX_TEMPLATE_BYTES };

export interface LoadTemplateDeps {
  readonly s3: S3Client;
  readonly config: Pick<DeployConfig, 'maxArchiveBytes' | 'templateBucket'>;
}

/**
 * Reads the deployment's template from the source artifact at the input's templatePath, once for
 * the whole execution: Create Stack, Create Change Set and a blue/green Create Stack all take it
 * from the state. Inline when it fits, otherwise staged at
 * `templates/<env>-<stack>/<deploymentId>.template` in TEMPLATE_BUCKET (the same key for every retry
 * of one pipeline job). It runs before any stack is looked at, so an unusable artifact fails the
 * deployment before anything is changed (a stack left in ROLLBACK_COMPLETE is not deleted for a
 * template that cannot be read).
 */
export async function loadTemplateOfDeployment(
  { input, deploymentId }: TaskInput<'loadTemplate'>,
  deps: LoadTemplateDeps,
): Promise<TemplateSource> {
  const template = await readArtifactFile(
    deps.s3,
    {
      bucket: input.revisionS3Bucket,
      key: input.revisionS3Key,
      path: input.templatePath,
      describedAs: 'templatePath',
    },
    {
      maxArchiveBytes: deps.config.maxArchiveBytes,
      maxFileBytes: MAX_TEMPLATE_BYTES,
      maxFileBytesReason: `CloudFormation accepts templates of at most ${MAX_TEMPLATE_BYTES} bytes`,
    },
  );
  const stackName = stackNameFor(input.environmentName, input.stackName);
  return stageTemplate(deps.s3, template, {
    ...(deps.config.templateBucket === undefined ? {} : { bucket: deps.config.templateBucket }),
    key: `templates/${stackName}/${deploymentId}.template`,
  });
}
