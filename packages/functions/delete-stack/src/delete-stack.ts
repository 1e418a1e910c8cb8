import {
  type CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  clientRequestToken,
  firstPoll,
  isStackMissingError,
  POLL_SCHEDULES,
  SafetyRefusedError,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import type { StackOperation, TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface DeleteStackDeps {
  readonly cfn: CloudFormationClient;
  readonly config: { readonly executionRoleArn?: string };
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Jitter source for the poll. @default Math.random */
  readonly random?: () => number;
}

/**
 * Recovery from a failed first create: deletes the stack so that it can be created again. The
 * stack is described again first, and anything but the very stack the check found, still in
 * ROLLBACK_COMPLETE (nothing of it left running), is refused: this never deletes a working stack.
 */
export async function deleteStack(
  input: TaskInput<'deleteStack'>,
  deps: DeleteStackDeps,
): Promise<StackOperation> {
  const { stackName, stackId: checkedId } = input.stack;
  if (input.stack.next !== 'recreate' || checkedId === undefined) {
    throw new SafetyRefusedError(
      `Refusing to delete stack ${stackName}: only a stack found in ROLLBACK_COMPLETE is deleted for recreation (the existence check decided "${input.stack.next}")`,
    );
  }
  const now = deps.now ?? (() => new Date());
  const poll = firstPoll(POLL_SCHEDULES.stackOperation, deps.random);
  const operation = (status: string | undefined): StackOperation => ({
    kind: 'delete',
    stackName,
    stackId: checkedId,
    startedAt: now().toISOString(),
    ...(status !== undefined ? { status } : {}),
    outcome: 'in-progress',
    poll,
  });

  let stack: Stack | undefined;
  try {
    const response = await deps.cfn.send(new DescribeStacksCommand({ StackName: checkedId }));
    stack = response.Stacks?.[0];
  } catch (error) {
    if (isStackMissingError(error)) {
      // Already gone (a retry after our own delete finished): nothing left to delete.
      return { ...operation('DELETE_COMPLETE'), outcome: 'succeeded' };
    }
    throw toTaskError(error, 'DescribeStacks', stackName);
  }
  const status = stack?.StackStatus;
  if (stack?.StackId !== undefined && stack.StackId !== checkedId) {
    throw new SafetyRefusedError(
      `Refusing to delete stack ${stackName}: it is now ${stack.StackId}, not the stack ${checkedId} found in ROLLBACK_COMPLETE`,
    );
  }
  if (status === 'DELETE_IN_PROGRESS' || status === 'DELETE_COMPLETE') {
    // A retry of this invocation: our delete is already under way.
    return operation(status);
  }
  if (status !== 'ROLLBACK_COMPLETE') {
    throw new SafetyRefusedError(
      `Refusing to delete stack ${stackName}: it is in ${status ?? 'an unknown status'}, and only a stack in ROLLBACK_COMPLETE (a failed first create) is deleted automatically`,
    );
  }

  try {
    await deps.cfn.send(
      new DeleteStackCommand({
        StackName: checkedId,
        ClientRequestToken: clientRequestToken(input.deploymentId, `delete-${stackName}`),
        ...(deps.config.executionRoleArn !== undefined ? { RoleARN: deps.config.executionRoleArn } : {}),
      }),
    );
  } catch (error) {
    throw toTaskError(error, 'DeleteStack', stackName);
  }
  return operation(status);
}
