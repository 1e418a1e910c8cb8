import type { S3Client } from '@aws-sdk/client-s3';
import { type DeployConfig, loadDeploymentTemplate } from '@cfn-safe-deploy/deploy-shared';
import type { TaskInput, Template } from '@cfn-safe-deploy/state-payloads';

export interface LoadTemplateDeps {
  readonly s3: S3Client;
  readonly config: Pick<DeployConfig, 'maxArchiveBytes' | 'templateBucket'>;
}

/**
 * Reads the deployment's template from the source artifact, once for the whole execution: Create
 * Stack, Create Change Set and a blue/green Create Stack all take it from the state. It runs before
 * any stack is looked at, so an unusable artifact fails the deployment before anything is changed
 * (a stack left in ROLLBACK_COMPLETE is not deleted for a template that cannot be read).
 */
export async function loadTemplateOfDeployment(
  input: TaskInput<'loadTemplate'>,
  deps: LoadTemplateDeps,
): Promise<Template> {
  return loadDeploymentTemplate(deps.s3, input.input, input.deploymentId, deps.config);
}
