import { CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { functionCodeDir } from './function-code.js';
import { checkedVariant, VARIANT_SETTINGS, type Variant } from './variants.js';

export interface SampleServiceStackProps extends StackProps {
  /** The table the function reads (the data stack's): a cross-stack reference. */
  readonly table: ITable;
  /** @default 'base' */
  readonly variant?: Variant;
  /**
   * The function's code.
   * @default - the variant's build of @cfn-safe-deploy/sample-function, as a file asset
   */
  readonly code?: Code;
}

/**
 * The service stack: the sample function, its code a file asset (the bundle of
 * @cfn-safe-deploy/sample-function, published to the bootstrap bucket), reading the data stack's
 * table: its name through `Fn::ImportValue` in TABLE_NAME, its ARN in the role's policy. CDK makes
 * this stack depend on the data stack.
 */
export class SampleServiceStack extends Stack {
  readonly variant: Variant;
  readonly environmentName: CfnParameter;
  readonly function: LambdaFunction;
  /** The function's own log group (the new resource of `code-change` and later variants). */
  readonly logGroup?: LogGroup;

  constructor(scope: Construct, id: string, props: SampleServiceStackProps) {
    super(scope, id, props);
    this.variant = checkedVariant(props.variant);
    const settings = VARIANT_SETTINGS[this.variant];

    this.environmentName = new CfnParameter(this, 'environmentName', {
      type: 'String',
      description: 'The environment this copy of the application belongs to (dev, test, prod, ...).',
      allowedPattern: '^[a-zA-Z][-a-zA-Z0-9]*$',
      constraintDescription: 'a letter, then letters, digits or hyphens',
      maxLength: 64,
    });

    if (settings.ownLogGroup) {
      this.logGroup = new LogGroup(this, 'FunctionLogs', {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }

    this.function = new LambdaFunction(this, 'Function', {
      description: 'The cfn-safe-deploy sample function: reads an item of the data stack table.',
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      // The bundle's source map and esbuild's metafile are no part of what Lambda runs.
      code: props.code ?? Code.fromAsset(functionCodeDir(settings.functionBuild), { exclude: ['meta.json'] }),
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        TABLE_NAME: props.table.tableName,
        ENVIRONMENT_NAME: this.environmentName.valueAsString,
        NODE_OPTIONS: '--enable-source-maps',
      },
      ...(this.logGroup === undefined ? {} : { logGroup: this.logGroup }),
    });
    props.table.grant(this.function, 'dynamodb:GetItem');

    new CfnOutput(this, 'FunctionName', {
      value: this.function.functionName,
      description: 'The sample function.',
    });
  }
}
