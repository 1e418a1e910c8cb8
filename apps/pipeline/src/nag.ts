import { type CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import { Policy } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { PipelineStack } from './stack.js';

/**
 * Why a wildcard is acceptable. A wildcard (resource or action) that matches none of these stays a
 * finding and stops synthesis: new wildcards get a reason written here or are removed.
 */
interface WildcardReason {
  readonly resource: RegExp;
  /** When set, every action of the statement must match. */
  readonly actions?: RegExp;
  readonly reason: string;
}

function logicalIdOf(stack: Stack, construct: IConstruct): string {
  return stack.resolve((construct.node.defaultChild as CfnResource).logicalId) as string;
}

function wildcardReasons(stack: PipelineStack): WildcardReason[] {
  const ref = (construct: IConstruct) => logicalIdOf(stack, construct);
  const reasons: WildcardReason[] = [
    {
      resource: new RegExp(`^<${ref(stack.artifactBucket)}\\.Arn>/\\*$`),
      reason:
        "The pipeline's artifact store: CodePipeline and its action roles read and write artifacts under keys it generates per execution; the grant covers this one bucket.",
    },
    {
      resource: new RegExp(`^<${ref(stack.inputBucket)}\\.Arn>/\\*$`),
      reason:
        "CDK's BucketDeployment handler writes state_machine_input.json into the input bucket at deployment.",
    },
    {
      resource: /^arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\/\*$/,
      reason:
        "CDK's BucketDeployment handler reads the input file's asset zip from the bootstrap asset bucket.",
    },
    {
      resource: new RegExp(`^<${ref(stack.trigger)}\\.Arn>:\\*$`),
      actions: /^lambda:InvokeFunction$/,
      reason:
        "The Deploy action may invoke the Trigger function's versions and aliases (CDK's grantInvoke); no other function.",
    },
    {
      resource: /^\*$/,
      actions: /^lambda:ListFunctions$/,
      reason:
        "CodePipeline's Lambda invoke action lists functions to find the Trigger; ListFunctions supports no resource-level permissions.",
    },
    {
      resource: /^\*$/,
      actions: /^codepipeline:PutJob(Success|Failure)Result$/,
      reason:
        'The Trigger answers its pipeline jobs; PutJobSuccessResult and PutJobFailureResult support no resource-level permissions (the job id is the only scope).',
    },
    {
      resource: /^arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.+:\*$/,
      actions: /^states:DescribeExecution$/,
      reason:
        "Executions are named per pipeline job: the Trigger describes executions of the Deploy state machine only (the ARN's state machine name comes from the SSM parameter).",
    },
    {
      resource:
        /^arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:(stack|changeSet)\/[a-zA-Z][-a-zA-Z0-9]*-\*\/\*$/,
      actions: /^cloudformation:(DescribeChangeSet|DeleteChangeSet)$/,
      reason:
        "Change sets are named per deployment (`<stack>-<execution>`) on stacks named `<environment>-*`: the Trigger describes and deletes only the never-executed change set of its own stopped or timed-out execution, on the managed environments' stacks.",
    },
    {
      resource: new RegExp(
        `^arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<${ref(stack.buildProject)}>:\\*$`,
      ),
      reason: "CodeBuild's default log group of this one project and its streams (CDK's grant).",
    },
    {
      resource: new RegExp(
        `^arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<${ref(stack.buildProject)}>-\\*$`,
      ),
      reason: "Test report groups of this one project (CDK's grant; named after the project).",
    },
  ];
  if (stack.sourceBucket) {
    reasons.push({
      resource: new RegExp(`^<${ref(stack.sourceBucket)}\\.Arn>/\\*$`),
      reason:
        "The S3 source action reads the versioned source zip from the source bucket (CDK's read grant on that bucket).",
    });
  }
  return reasons;
}

/** Renders a resolved CloudFormation value the way cdk-nag names it in a finding id. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return `<${record.Ref}>`;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(String).join('.')}>`;
    const sub = record['Fn::Sub'];
    if (typeof sub === 'string') return sub.replace(/\$\{([^}]+)\}/g, '<$1>');
    const join = record['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(render).join(join[0]);
    }
  }
  return JSON.stringify(value);
}

interface ResolvedStatement {
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Acknowledges the wildcards of one IAM policy statement by statement: a resource wildcard needs a
 * known reason; an S3 action wildcard (CDK's bucket grants: s3:GetObject*, s3:List*, ...) is
 * accepted only in a statement whose resources are all specific buckets or their objects.
 */
function acknowledgePolicy(stack: PipelineStack, policy: Policy, reasons: readonly WildcardReason[]): void {
  const document = stack.resolve(policy.document.toJSON()) as { Statement?: ResolvedStatement[] } | undefined;
  const done = new Set<string>();
  const acknowledge = (id: string, reason: string) => {
    if (done.has(id)) return;
    done.add(id);
    Validations.of(policy).acknowledge({ id, reason });
  };
  for (const statement of document?.Statement ?? []) {
    const actions = list(statement.Action);
    const resources = list(statement.Resource).map(render);
    const bucketScoped = resources.every((resource) => resource !== '*' && !resource.includes(':*'));
    for (const resource of resources.filter((r) => r.includes('*'))) {
      const known = reasons.find(
        (candidate) =>
          candidate.resource.test(resource) &&
          (candidate.actions === undefined || actions.every((action) => candidate.actions?.test(action))),
      );
      if (known) acknowledge(`AwsSolutions-IAM5[Resource::${resource}]`, known.reason);
    }
    for (const action of actions.filter((a) => a.includes('*'))) {
      if (action.startsWith('s3:') && bucketScoped) {
        acknowledge(
          `AwsSolutions-IAM5[Action::${action}]`,
          "CDK's bucket grants (read, or read/write for the artifact store) use action wildcards; the statement's resources are specific buckets and their objects only.",
        );
      }
    }
  }
}

/**
 * Written reasons for the AwsSolutions findings this stack keeps on purpose. IAM wildcards are
 * acknowledged one by one, and only those of a known kind (see `wildcardReasons`).
 */
export function acknowledgeNagFindings(stack: PipelineStack): void {
  const reasons = wildcardReasons(stack);
  for (const policy of stack.node.findAll().filter((c): c is Policy => c instanceof Policy)) {
    acknowledgePolicy(stack, policy, reasons);
  }

  Validations.of(stack.trigger).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'nodejs22.x on purpose: the Trigger bundle is built for Node 22 (esbuild target node22) and tested on it; a newer runtime is a deliberate change made together with the bundle target.',
  });
  Validations.of(stack.buildProject).acknowledge({
    id: 'AwsSolutions-CB4',
    reason:
      "Build output goes to the artifact bucket, encrypted with SSE-S3 like the bucket itself: the Deploy state machine's task functions (another app) read the revision with their own role, which a customer managed key would have to be granted to across the two apps.",
  });

  const constructs = stack.node.findAll();
  const notificationsHandler = constructs.find((construct) =>
    construct.node.id.startsWith('BucketNotificationsHandler'),
  );
  if (notificationsHandler) {
    Validations.of(notificationsHandler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's bucket notifications handler (a CDK-managed singleton that turns on EventBridge notifications of the source bucket during deployment) writes its logs with the basic execution role.",
    });
  }
  const deploymentHandler = constructs.find((construct) =>
    construct.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (deploymentHandler) {
    Validations.of(deploymentHandler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        "CDK's BucketDeployment handler (a CDK-managed singleton that runs only during deployment) writes its logs with the basic execution role.",
    });
    Validations.of(deploymentHandler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'aws-cdk-lib chooses the runtime of its BucketDeployment handler; it moves with the aws-cdk-lib version.',
    });
  }
}
