import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SampleDataStack } from './data-stack.js';
import { acknowledgeNagFindings } from './nag.js';
import { NamingCheck } from './naming-check.js';
import { SampleServiceStack } from './service-stack.js';
import { isVariant, VARIANT_SETTINGS, VARIANTS, type Variant } from './variants.js';

/** The artifact ids of the two stacks (their templates: `cdk.out/<id>.template.json`). */
export const DATA_STACK_ID = 'SampleData';
export const SERVICE_STACK_ID = 'SampleService';

/** The cloud assembly's folder, relative to the app (`output` of cdk.json): what the build hands on. */
export const ASSEMBLY_DIR = 'cdk.out';

/** The template file of a stack of the app, relative to the assembly's folder. */
export const templateFileOf = (artifactId: string): string => `${artifactId}.template.json`;

/** The environment the stacks are named after when none is given. */
export const DEFAULT_ENVIRONMENT_NAME = 'prod';

/**
 * The stack names: `<environmentName>-sample-data` and `<environmentName>-sample-service`. They
 * start with the environment because the Deploy state machine's CloudFormation execution role may
 * manage `<environmentName>-*` only, and they are the names the stacks keep when deployed: CDK
 * derives the data stack's export names from its stack name.
 */
export function stackNamesFor(environmentName: string): { data: string; service: string } {
  if (!/^[a-zA-Z][-a-zA-Z0-9]{0,63}$/.test(environmentName)) {
    throw new Error(
      `environmentName is ${JSON.stringify(environmentName)}; expected a letter, then letters, digits or hyphens (at most 64)`,
    );
  }
  return { data: `${environmentName}-sample-data`, service: `${environmentName}-sample-service` };
}

/**
 * The context the cdk CLI sets by default (version reporting, path and asset metadata): set here
 * too, so that `synthesizeSampleAssembly` in a process writes the templates `cdk synth` writes.
 */
export const CLI_DEFAULT_CONTEXT: Readonly<Record<string, boolean>> = {
  'aws:cdk:version-reporting': true,
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
};

export interface CreateAppOptions {
  readonly appProps?: AppProps;
  /**
   * The revision to synthesize.
   * @default - context `variant`, else the environment variable SAMPLE_APP_VARIANT, else 'base'
   */
  readonly variant?: Variant;
  /**
   * The environment the stacks are named after.
   * @default - context `environmentName`, else DEFAULT_ENVIRONMENT_NAME ('prod')
   */
  readonly environmentName?: string;
  /**
   * Run the cdk-nag AwsSolutions checks at synthesis (an unacknowledged finding stops it).
   * @default true
   */
  readonly nag?: boolean;
}

export interface SampleApp {
  readonly app: App;
  readonly variant: Variant;
  readonly data: SampleDataStack;
  readonly service: SampleServiceStack;
}

function chosenVariant(app: App, explicit: Variant | undefined): Variant {
  if (explicit !== undefined) return explicit;
  const fromContext: unknown = app.node.tryGetContext('variant');
  const value = fromContext ?? process.env.SAMPLE_APP_VARIANT ?? 'base';
  if (!isVariant(value)) {
    throw new Error(
      `variant is ${JSON.stringify(value)}; expected one of ${VARIANTS.join(', ')} (cdk synth -c variant=...)`,
    );
  }
  return value;
}

function chosenEnvironment(app: App, explicit: string | undefined): string {
  if (explicit !== undefined) return explicit;
  const fromContext: unknown = app.node.tryGetContext('environmentName');
  if (fromContext === undefined) return DEFAULT_ENVIRONMENT_NAME;
  if (typeof fromContext !== 'string') {
    throw new Error(`context environmentName is ${JSON.stringify(fromContext)}; expected a string`);
  }
  return fromContext;
}

/**
 * The sample app as users write it: the default synthesizer (file assets in the bootstrap bucket,
 * the BootstrapVersion parameter and rule), CDKMetadata on, a data stack and a service stack that
 * reads the data stack's table through a cross-stack reference (so it depends on it).
 */
export function createApp(options: CreateAppOptions = {}): SampleApp {
  const app = new App({
    ...options.appProps,
    context: { ...CLI_DEFAULT_CONTEXT, ...options.appProps?.context },
  });
  const variant = chosenVariant(app, options.variant);
  const names = stackNamesFor(chosenEnvironment(app, options.environmentName));
  const data = new SampleDataStack(app, DATA_STACK_ID, {
    stackName: names.data,
    description: 'cfn-safe-deploy sample app: the data (a DynamoDB table).',
    variant,
  });
  const service = new SampleServiceStack(app, SERVICE_STACK_ID, {
    stackName: names.service,
    description: 'cfn-safe-deploy sample app: the service (a Lambda function reading the data stack table).',
    variant,
    table: data.table,
  });
  // The app's own check runs at every synthesis (it is cheap); CDK reports its version in CDKMetadata.
  Validations.of(app).addPlugins(new NamingCheck(VARIANT_SETTINGS[variant].namingCheckVersion));
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeNagFindings(data, service);
  }
  return { app, variant, data, service };
}
