import { Validations } from 'aws-cdk-lib';
import type { SampleDataStack } from './data-stack.js';
import type { SampleServiceStack } from './service-stack.js';

/** The one AWS-managed policy the app uses: CDK's default for a Lambda function's role. */
const BASIC_EXECUTION_ROLE =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/**
 * Written reasons for the AwsSolutions findings the sample app keeps on purpose. Each names the
 * exact finding on one construct: any other finding, or another managed policy, stops synthesis.
 */
export function acknowledgeNagFindings(_data: SampleDataStack, service: SampleServiceStack): void {
  const role = service.function.role;
  if (role === undefined) throw new Error("the sample function has no role; expected CDK's default role");
  Validations.of(role).acknowledge({
    id: BASIC_EXECUTION_ROLE,
    reason:
      "The function's role is CDK's default for a Lambda function, as users write it: the AWS-managed AWSLambdaBasicExecutionRole grants CloudWatch Logs writes only (logs:CreateLogGroup, CreateLogStream, PutLogEvents). Its table access is the one GetItem statement on the table's ARN that CDK adds.",
  });
}
