import {
  AlreadyExistsException,
  type CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CloudFormationError,
  clientRequestToken,
  type DeployConfig,
  firstPoll,
  isStackMissingError,
  POLL_SCHEDULES,
  pages,
  SafetyRefusedError,
  stackRequestFields,
  templateRequestFields,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import type { StackOperation, TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface CreateStackDeps {
  readonly cfn: CloudFormationClient;
  readonly config: DeployConfig;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Jitter source for the poll. @default Math.random */
  readonly random?: () => number;
}

function isAlreadyExists(error: unknown): boolean {
  return (
    error instanceof AlreadyExistsException ||
    (error instanceof Error && error.name === 'AlreadyExistsException')
  );
}

/** The stack of that name, or undefined when it does not exist. */
async function describe(cfn: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const response = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return response.Stacks?.[0];
  } catch (error) {
    if (isStackMissingError(error)) return undefined;
    throw toTaskError(error, 'DescribeStacks', stackName);
  }
}

/**
 * Whether the stack's events carry `token`: CloudFormation gives every event of an operation the
 * operation's client request token, so this tells a stack this deployment started (a Lambda retry
 * after CloudFormation accepted the first call) from anybody else's stack of the same name.
 */
async function startedWithToken(cfn: CloudFormationClient, stackId: string, token: string): Promise<boolean> {
  const history = pages({
    operation: 'DescribeStackEvents',
    subject: stackId,
    fetch: (nextToken) =>
      cfn.send(new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken })),
  });
  for await (const page of history) {
    if (page.StackEvents?.some((event) => event.ClientRequestToken === token)) return true;
  }
  return false;
}

/**
 * Creates the deployment's stack (the blue/green stack when one was prepared) from the template Load
 * Template put in the state. OnFailure DELETE leaves nothing half-made behind; the client request token
 * makes a retried invocation find its own stack instead of failing on "already exists".
 */
export async function createStack(
  input: TaskInput<'createStack'>,
  deps: CreateStackDeps,
): Promise<StackOperation> {
  const stackName = input.blueGreen?.stackName ?? input.stack.stackName;
  if (input.blueGreen === undefined && input.stack.next !== 'create' && input.stack.next !== 'recreate') {
    throw new SafetyRefusedError(
      `Refusing to create stack ${stackName}: the existence check decided "${input.stack.next}" (${input.stack.reason}), not "create"`,
    );
  }
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const token = clientRequestToken(input.deploymentId, `create-${stackName}`);
  let stackId: string | undefined;
  try {
    const response = await deps.cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        ...templateRequestFields(input.template),
        ...stackRequestFields(input.input, deps.config),
        OnFailure: 'DELETE',
        ClientRequestToken: token,
      }),
    );
    stackId = response.StackId;
  } catch (error) {
    if (!isAlreadyExists(error)) {
      throw toTaskError(error, 'CreateStack', stackName, { templatePath: input.input.templatePath });
    }
    // A retry of this same invocation after CloudFormation accepted the first call finds the stack
    // it started; anything else of that name is not ours to touch.
    const existing = await describe(deps.cfn, stackName);
    const ours =
      existing?.StackId !== undefined && (await startedWithToken(deps.cfn, existing.StackId, token));
    if (existing?.StackId === undefined || !ours) {
      throw new CloudFormationError(
        `CreateStack on ${stackName} failed: a stack of that name already exists${existing?.StackStatus ? ` (${existing.StackStatus})` : ''} and was not created by deployment ${input.deploymentId}`,
        { cause: error },
      );
    }
    return {
      kind: 'create',
      stackName,
      stackId: existing.StackId,
      startedAt: (existing.CreationTime ?? startedAt).toISOString(),
      ...(existing.StackStatus !== undefined ? { status: existing.StackStatus } : {}),
      outcome: 'in-progress',
      poll: firstPoll(POLL_SCHEDULES.stackOperation, deps.random),
    };
  }
  if (stackId === undefined) {
    throw new CloudFormationError(`CreateStack on ${stackName} answered without a stack id`);
  }
  return {
    kind: 'create',
    stackName,
    stackId,
    startedAt: startedAt.toISOString(),
    outcome: 'in-progress',
    poll: firstPoll(POLL_SCHEDULES.stackOperation, deps.random),
  };
}
