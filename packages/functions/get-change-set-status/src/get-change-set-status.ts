import { type CloudFormationClient, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import {
  classifyChangeSet,
  InvalidInputError,
  isChangeSetNotFoundError,
  nextPoll,
  POLL_SCHEDULES,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import type { ChangeSetState, TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface GetChangeSetStatusDeps {
  readonly cfn: CloudFormationClient;
  /** Jitter source for the polling backoff. @default Math.random */
  readonly random?: () => number;
}

/**
 * Reads the change set's status (first page of DescribeChangeSet, by ARN only: a name would be
 * ambiguous across stacks) and decides what follows: wait, inspect, no-changes or failed.
 */
export async function getChangeSetStatus(
  input: TaskInput<'getChangeSetStatus'>,
  deps: GetChangeSetStatusDeps,
): Promise<ChangeSetState> {
  const current = input.changeSet;
  const changeSetArn = current.changeSetArn;
  if (changeSetArn === undefined) {
    throw new InvalidInputError(
      `changeSet.changeSetArn is missing for change set ${current.changeSetName} of stack ${current.stackName} (next was "${current.next}"): there is no change set to poll`,
    );
  }
  const { reason: _previousReason, ...rest } = current;
  let described: { Status?: string; ExecutionStatus?: string; StatusReason?: string; StackId?: string };
  try {
    described = await deps.cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetArn }));
  } catch (error) {
    if (isChangeSetNotFoundError(error)) {
      return {
        ...rest,
        status: 'NOT_FOUND',
        next: 'failed',
        reason: `change set ${changeSetArn} no longer exists (deleted outside this deployment?)`,
      };
    }
    throw toTaskError(error, 'DescribeChangeSet', changeSetArn);
  }
  const decision = classifyChangeSet(described.Status, described.ExecutionStatus, described.StatusReason);
  return {
    ...rest,
    stackId: described.StackId ?? current.stackId,
    status: described.Status ?? 'UNKNOWN',
    next: decision.next,
    ...(decision.reason === undefined ? {} : { reason: decision.reason }),
    poll:
      decision.next === 'wait' ? nextPoll(current.poll, POLL_SCHEDULES.changeSet, deps.random) : current.poll,
  };
}
