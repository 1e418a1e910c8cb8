import { CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * The three revisions of the demo, one per path of the Deploy state machine once the stack exists:
 * - `base`: the first deployment (the stack is created);
 * - `safe-change`: more memory and another greeting — CloudFormation modifies the function in place
 *   (Replacement False), so the change set is executed;
 * - `replacing-change`: an explicit function name — FunctionName can only change by replacing the
 *   function (Replacement True), so the change set is refused and deleted.
 */
export const VARIANTS = ['base', 'safe-change', 'replacing-change'] as const;
export type Variant = (typeof VARIANTS)[number];

export function isVariant(value: unknown): value is Variant {
  return typeof value === 'string' && (VARIANTS as readonly string[]).includes(value);
}

/** What differs between the variants: everything else of the template stays the same. */
export interface VariantSettings {
  readonly memorySize: number;
  readonly greeting: string;
  /** Set only by `replacing-change`: a physical name for the function, which forces its replacement. */
  readonly explicitFunctionName: boolean;
}

export const VARIANT_SETTINGS: Readonly<Record<Variant, VariantSettings>> = {
  base: {
    memorySize: 128,
    greeting: 'Hello from the sample Lambda application',
    explicitFunctionName: false,
  },
  'safe-change': {
    memorySize: 256,
    greeting: 'Hello again: this revision was deployed by executing a safe change set',
    explicitFunctionName: false,
  },
  'replacing-change': {
    memorySize: 256,
    greeting: 'Hello again: this revision was deployed by executing a safe change set',
    explicitFunctionName: true,
  },
};

/** The function's code, inline in the template so that the template needs no asset or bootstrap bucket. */
export const FUNCTION_CODE = `exports.handler = async (event) => {
  const body = {
    message: process.env.GREETING,
    environmentName: process.env.ENVIRONMENT_NAME,
    received: event === undefined ? null : event,
  };
  console.log(JSON.stringify({ level: 'INFO', message: 'invoked', environmentName: body.environmentName }));
  return { statusCode: 200, body: JSON.stringify(body) };
};
`;

export interface SampleAppStackProps extends StackProps {
  /**
   * Which revision of the application to synthesize.
   * @default 'base'
   */
  readonly variant?: Variant;
}

/**
 * The sample Lambda application the pipeline deploys: one function, its role and its log group,
 * named by CloudFormation after the stack (`<environmentName>-<stackName>-…`), which is what the
 * Deploy state machine's CloudFormation execution role may manage.
 */
export class SampleAppStack extends Stack {
  readonly variant: Variant;
  readonly environmentName: CfnParameter;
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SampleAppStackProps = {}) {
    super(scope, id, props);
    this.variant = props.variant ?? 'base';
    if (!isVariant(this.variant)) {
      throw new Error(`variant is "${String(this.variant)}"; expected one of ${VARIANTS.join(', ')}`);
    }
    const settings = VARIANT_SETTINGS[this.variant];

    this.environmentName = new CfnParameter(this, 'environmentName', {
      type: 'String',
      description: 'The environment this copy of the application belongs to (dev, test, prod, ...).',
      allowedPattern: '^[a-zA-Z][-a-zA-Z0-9]*$',
      constraintDescription: 'a letter, then letters, digits or hyphens',
      maxLength: 64,
    });

    this.logGroup = new LogGroup(this, 'FunctionLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the sample function: writes its own log group, nothing else.',
      inlinePolicies: {
        WriteOwnLogs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });

    this.function = new LambdaFunction(this, 'Function', {
      description: 'The cfn-safe-deploy sample function.',
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline(FUNCTION_CODE),
      memorySize: settings.memorySize,
      timeout: Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        GREETING: settings.greeting,
        ENVIRONMENT_NAME: this.environmentName.valueAsString,
      },
      ...(settings.explicitFunctionName
        ? { functionName: Fn.join('-', [this.environmentName.valueAsString, 'sample-lambda-function']) }
        : {}),
    });

    new CfnOutput(this, 'FunctionName', {
      value: this.function.functionName,
      description: 'The sample function.',
    });
    new CfnOutput(this, 'Variant', {
      value: this.variant,
      description: 'The revision of the demo this template is.',
    });
  }
}
