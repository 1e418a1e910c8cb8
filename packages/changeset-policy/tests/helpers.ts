import { main } from '../src/cli-main.js';
import type { Change, ChangeSetPage, ResourceChange } from '../src/index.js';

export const ARN = (name: string) =>
  `arn:aws:cloudformation:eu-west-1:123456789012:changeSet/${name}/0000-${name}`;

/** A `Changes[]` entry as AWS returns it. */
export function change(resourceChange: ResourceChange): Change {
  return { Type: 'Resource', ResourceChange: { Scope: [], Details: [], ...resourceChange } };
}

export const modify = (
  id: string,
  replacement: string | undefined,
  type = 'AWS::SQS::Queue',
  extra: ResourceChange = {},
) =>
  change({
    Action: 'Modify',
    LogicalResourceId: id,
    PhysicalResourceId: `${id}-physical`,
    ResourceType: type,
    ...(replacement === undefined ? {} : { Replacement: replacement }),
    ...extra,
  });

export const add = (id: string, type = 'AWS::SQS::Queue') =>
  change({ Action: 'Add', LogicalResourceId: id, ResourceType: type });

export const remove = (id: string, type = 'AWS::S3::Bucket', policyAction = 'Delete') =>
  change({
    Action: 'Remove',
    LogicalResourceId: id,
    PhysicalResourceId: `${id}-physical`,
    ResourceType: type,
    PolicyAction: policyAction,
  });

export const nestedStack = (id: string, changeSetId: string, action = 'Modify') =>
  change({
    Action: action,
    LogicalResourceId: id,
    ResourceType: 'AWS::CloudFormation::Stack',
    Replacement: 'False',
    ChangeSetId: changeSetId,
  });

/** One DescribeChangeSet response. */
export function page(name: string, changes: Change[], extra: Partial<ChangeSetPage> = {}): ChangeSetPage {
  return {
    ChangeSetId: ARN(name),
    ChangeSetName: name,
    StackName: `stack-${name}`,
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: changes,
    ...extra,
  };
}

/** Runs the `changeset-policy` command line in-process and collects what it writes. */
export async function runCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}
