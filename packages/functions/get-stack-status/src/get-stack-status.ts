import { type CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  firstFailureReason,
  isStackMissingError,
  nextPoll,
  operationProgress,
  POLL_SCHEDULES,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import type { StackOperation, TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface GetStackStatusDeps {
  readonly cfn: CloudFormationClient;
  /** Jitter source for the poll. @default Math.random */
  readonly random?: () => number;
}

async function failureReason(
  cfn: CloudFormationClient,
  operation: StackOperation,
  stack: Stack | undefined,
  status: string,
): Promise<string> {
  let fromEvents: string | undefined;
  try {
    fromEvents = await firstFailureReason(cfn, operation.stackId, new Date(operation.startedAt));
  } catch (error) {
    // The verdict stands without the events; a stack that is gone may have none to read.
    if (!isStackMissingError(error) && !(error instanceof Error && isStackMissingError(error.cause)))
      throw error;
  }
  return fromEvents ?? stack?.StackStatusReason ?? `the stack ended in ${status}`;
}

/**
 * One poll of a stack operation: describes the stack by id and reports in-progress, succeeded or
 * failed (with the first failed resource as the reason). While in progress, the poll moves on by
 * the stackOperation schedule; the state machine stops when it is exhausted.
 */
export async function getStackStatus(
  input: TaskInput<'getStackStatus'>,
  deps: GetStackStatusDeps,
): Promise<StackOperation> {
  const operation = input.operation;
  let stack: Stack | undefined;
  try {
    const response = await deps.cfn.send(new DescribeStacksCommand({ StackName: operation.stackId }));
    stack = response.Stacks?.[0];
  } catch (error) {
    if (!isStackMissingError(error)) throw toTaskError(error, 'DescribeStacks', operation.stackName);
  }
  // Described by id, a deleted stack still answers (DELETE_COMPLETE); an emulator may say it is gone.
  const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
  const outcome = operationProgress(operation.kind, status);
  const { reason: _previousReason, ...rest } = operation;
  if (outcome === 'in-progress') {
    return {
      ...rest,
      status,
      outcome,
      poll: nextPoll(operation.poll, POLL_SCHEDULES.stackOperation, deps.random),
    };
  }
  if (outcome === 'succeeded') return { ...rest, status, outcome };
  return { ...rest, status, outcome, reason: await failureReason(deps.cfn, operation, stack, status) };
}
