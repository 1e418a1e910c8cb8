import type { Finding } from '@cfn-safe-deploy/changeset-policy';
import type { ExecutionInputDraft } from '../src/index.js';

export const validInput = {
  environmentName: 'prod',
  stackName: 'sample-lambda-app',
  templatePath: 'SampleLambdaApp.template.json',
  revisionS3Bucket: 'codepipeline-artifacts-123',
  revisionS3Key: 'pipeline/Source/abc123.zip',
} as const satisfies ExecutionInputDraft;

export function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    stackPath: [],
    logicalResourceId: 'Table',
    resourceType: 'AWS::DynamoDB::Table',
    action: 'Modify',
    replacement: 'True',
    policyAction: 'ReplaceAndDelete',
    reason: 'TableName requires the resource to be replaced',
    rule: 'replacement',
    ...overrides,
  } as Finding;
}
