import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { checkedVariant, VARIANT_SETTINGS, type Variant } from './variants.js';

export interface SampleDataStackProps extends StackProps {
  /** @default 'base' */
  readonly variant?: Variant;
}

/**
 * The data stack: one DynamoDB table (on demand, point-in-time recovery, kept when the stack or the
 * resource is removed). The service stack reads it through CDK's cross-stack references, which
 * CDK makes exports of this stack named after its stack name.
 */
export class SampleDataStack extends Stack {
  readonly variant: Variant;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: SampleDataStackProps = {}) {
    super(scope, id, props);
    this.variant = checkedVariant(props.variant);
    const settings = VARIANT_SETTINGS[this.variant];

    this.table = new Table(this, 'Items', {
      partitionKey: { name: settings.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The items table.' });
  }
}
