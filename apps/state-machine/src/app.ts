import { App, type AppProps, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag.js';
import { StateMachineStack, type StateMachineStackProps } from './stack.js';

/** The stack's name in the app: `cdk deploy CfnSafeDeployStateMachine` deploys it alone. */
export const STACK_NAME = 'CfnSafeDeployStateMachine';

export interface CreateAppOptions {
  readonly appProps?: AppProps;
  readonly stackProps?: StateMachineStackProps;
  /**
   * Leave out the BootstrapVersion rule: for a local target (moto) whose bootstrap stack CloudFormation
   * rules cannot read back.
   * @default false
   */
  readonly local?: boolean;
  /**
   * Run the cdk-nag AwsSolutions checks at synthesis (a finding without acknowledgement stops it).
   * @default true
   */
  readonly nag?: boolean;
}

function contextList(app: App, key: string): string[] | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return list.map((item) => item.trim()).filter((item) => item.length > 0);
}

/**
 * The CDK app. Context (`cdk -c key=value`): `environmentNames` and `artifactBucketNames` (comma
 * separated), `parameterName`, `local=true` (no BootstrapVersion rule).
 */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: StateMachineStack } {
  const app = new App(options.appProps);
  const local = options.local ?? ['true', true].includes(app.node.tryGetContext('local'));
  const environmentNames = contextList(app, 'environmentNames');
  const artifactBucketNames = contextList(app, 'artifactBucketNames');
  const parameterName: unknown = app.node.tryGetContext('parameterName');
  const stack = new StateMachineStack(app, STACK_NAME, {
    description:
      'cfn-safe-deploy: the Deploy state machine, its task functions and the SSM parameter with its ARN.',
    ...(local ? { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) } : {}),
    ...(environmentNames ? { environmentNames } : {}),
    ...(artifactBucketNames ? { artifactBucketNames } : {}),
    ...(typeof parameterName === 'string' ? { parameterName } : {}),
    ...options.stackProps,
  });
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeNagFindings(stack);
  }
  return { app, stack };
}
