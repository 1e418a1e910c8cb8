import { App, type AppProps, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag.js';
import { isVariant, SampleAppStack, VARIANTS, type Variant } from './stack.js';

/** The stack id, hence the template's file name: `cdk.out/SampleLambdaApp.template.json`. */
export const STACK_ID = 'SampleLambdaApp';
export const TEMPLATE_FILE = `${STACK_ID}.template.json`;

export interface CreateAppOptions {
  readonly appProps?: AppProps;
  /**
   * The revision to synthesize.
   * @default - context `variant`, else the environment variable SAMPLE_APP_VARIANT, else 'base'
   */
  readonly variant?: Variant;
  /**
   * Run the cdk-nag AwsSolutions checks at synthesis (an unacknowledged finding stops it).
   * @default true
   */
  readonly nag?: boolean;
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

/**
 * The sample app: one stack whose template is self-contained. No bootstrap resources are needed
 * (BootstraplessSynthesizer, inline code) and no CDK metadata is added, so CloudFormation deploys the
 * template as it is, with nothing but the `environmentName` parameter.
 */
export function createApp(options: CreateAppOptions = {}): { app: App; stack: SampleAppStack } {
  const app = new App({ analyticsReporting: false, ...options.appProps });
  const variant = chosenVariant(app, options.variant);
  const stack = new SampleAppStack(app, STACK_ID, {
    description: `cfn-safe-deploy sample Lambda application (revision: ${variant}).`,
    synthesizer: new BootstraplessSynthesizer(),
    variant,
  });
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeNagFindings(stack);
  }
  return { app, stack };
}
