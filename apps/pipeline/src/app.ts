import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag.js';
import { sourceFromContext } from './source.js';
import { PipelineStack, type PipelineStackProps } from './stack.js';

/** Feature flags this app relies on (a new app would get them from `cdk init`). */
export const FEATURE_FLAGS = {
  // Server access logs are delivered through a bucket policy, not the LogDeliveryWrite ACL.
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
} as const;

/** The stack's name: `cdk deploy CfnSafeDeployPipeline`. */
export const STACK_NAME = 'CfnSafeDeployPipeline';

export interface CreateAppOptions {
  readonly appProps?: AppProps;
  /** Overrides what the context selects. */
  readonly stackProps?: PipelineStackProps;
  /**
   * Run the cdk-nag AwsSolutions checks at synthesis (an unacknowledged finding stops it).
   * @default true
   */
  readonly nag?: boolean;
}

function contextText(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A comma-separated context value (or a JSON list given in cdk.json) as a list. */
function contextList(app: App, key: string): string[] | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return list.map((item) => item.trim()).filter((item) => item.length > 0);
}

/**
 * The pipeline app. Context (`cdk -c key=value`): the source (see `sourceFromContext`: `source`,
 * `repositoryName`, `createRepository`, `branch`, `sourceBucketName`, `sourceObjectKey`,
 * `connectionArn`, `repository`), `stateMachineArnParameterName`, `environmentNames` (comma
 * separated, as the state machine app's), `artifactBucketName`, `pipelineName`.
 */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: PipelineStack } {
  const app = new App({
    analyticsReporting: false,
    ...options.appProps,
    context: { ...FEATURE_FLAGS, ...options.appProps?.context },
  });
  const read = (key: string): unknown => app.node.tryGetContext(key);
  const parameterName = contextText(app, 'stateMachineArnParameterName');
  const artifactBucketName = contextText(app, 'artifactBucketName');
  const pipelineName = contextText(app, 'pipelineName');
  const environmentNames = contextList(app, 'environmentNames');
  const stack = new PipelineStack(app, STACK_NAME, {
    description: 'cfn-safe-deploy: the sample pipeline whose Deploy action runs the Deploy state machine.',
    source: sourceFromContext(read),
    ...(parameterName ? { stateMachineArnParameterName: parameterName } : {}),
    ...(artifactBucketName ? { artifactBucketName } : {}),
    ...(pipelineName ? { pipelineName } : {}),
    ...(environmentNames ? { environmentNames } : {}),
    ...options.stackProps,
  });
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeNagFindings(stack);
  }
  return { app, stack };
}
