import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  CloudFormationError,
  classifyExistingStack,
  isStackMissingError,
  nextPoll,
  POLL_SCHEDULES,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import { type StackCheck, stackNameFor, type TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface CheckStackExistenceDeps {
  readonly cfn: CloudFormationClient;
  /** Jitter source for the busy-stack poll. @default Math.random */
  readonly random?: () => number;
}

function missing(stackName: string, reason: string): StackCheck {
  return { stackName, exists: false, changeSetType: 'CREATE', next: 'create', reason };
}

/**
 * Describes the target stack and decides how to deploy to it. Only CloudFormation's "Stack with
 * id … does not exist" means "create"; throttling, AccessDenied and every other error are thrown.
 */
export async function checkStackExistence(
  input: TaskInput<'checkStackExistence'>,
  deps: CheckStackExistenceDeps,
): Promise<StackCheck> {
  const stackName = stackNameFor(input.input.environmentName, input.input.stackName);
  let stack: Stack | undefined;
  try {
    const response = await deps.cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = response.Stacks?.[0];
  } catch (error) {
    if (isStackMissingError(error))
      return missing(stackName, `stack ${stackName} does not exist: it will be created`);
    throw toTaskError(error, 'DescribeStacks', stackName);
  }
  const status = stack?.StackStatus;
  if (stack === undefined || status === undefined) {
    throw new CloudFormationError(`DescribeStacks on ${stackName} answered without the stack or its status`);
  }
  if (status === 'DELETE_COMPLETE') {
    return missing(stackName, `stack ${stackName} was deleted: it will be created`);
  }

  const decision = classifyExistingStack(status);
  const check: StackCheck = {
    stackName,
    exists: true,
    ...(stack.StackId !== undefined ? { stackId: stack.StackId } : {}),
    status,
    changeSetType: decision.changeSetType,
    next: decision.next,
    reason: decision.reason,
  };
  if (decision.next !== 'wait') return check;

  // Keep one poll across invocations while the stack stays busy.
  const previous =
    input.stack?.next === 'wait' && input.stack.stackName === stackName ? input.stack.poll : undefined;
  const poll = nextPoll(previous, POLL_SCHEDULES.busyStack, deps.random);
  const reason = poll.exhausted
    ? `${decision.reason}; still busy after ${poll.waitedSeconds} s, giving up`
    : decision.reason;
  return { ...check, reason, poll };
}
