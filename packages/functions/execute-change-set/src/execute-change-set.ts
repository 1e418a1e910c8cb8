import {
  type CloudFormationClient,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { SAFE } from '@cfn-safe-deploy/changeset-policy';
import {
  CloudFormationError,
  clientRequestToken,
  firstPoll,
  POLL_SCHEDULES,
  SafetyRefusedError,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import { errorNameOf, type StackOperation, type TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface ExecuteChangeSetDeps {
  readonly cfn: CloudFormationClient;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Jitter source for the polling backoff. @default Math.random */
  readonly random?: () => number;
}

/** ExecutionStatus values meaning that this change set has already been started (a retried invocation). */
const ALREADY_EXECUTING = new Set(['EXECUTE_IN_PROGRESS', 'EXECUTE_COMPLETE']);

/**
 * Refuses unless the inspection judged THIS change set safe: defence in depth, so that a state
 * machine wired to the wrong state (or fed a stale inspection) can never execute an unsafe change.
 */
function assertInspectedSafe(input: TaskInput<'executeChangeSet'>): string {
  const { changeSet, inspection } = input;
  const changeSetArn = changeSet.changeSetArn;
  if (changeSetArn === undefined) {
    throw new SafetyRefusedError(
      `refusing to execute a change set for stack ${changeSet.stackName}: changeSet has no ARN (next "${changeSet.next}")`,
    );
  }
  if (inspection.verdict !== SAFE || inspection.findingCount > 0) {
    throw new SafetyRefusedError(
      `refusing to execute change set ${changeSetArn}: its inspection says ${inspection.verdict} with ${inspection.findingCount} finding(s); only ${SAFE} with none is executed`,
    );
  }
  if (inspection.changeSetArn !== changeSetArn) {
    throw new SafetyRefusedError(
      `refusing to execute change set ${changeSetArn}: the inspection judged a different change set (${inspection.changeSetArn})`,
    );
  }
  return changeSetArn;
}

async function describe(
  cfn: CloudFormationClient,
  changeSetArn: string,
): Promise<{ StackId?: string; ExecutionStatus?: string; Status?: string; StatusReason?: string }> {
  try {
    return await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetArn }));
  } catch (error) {
    throw toTaskError(error, 'DescribeChangeSet', changeSetArn);
  }
}

/** Executes the inspected change set by ARN and starts polling the stack operation. */
export async function executeChangeSet(
  input: TaskInput<'executeChangeSet'>,
  deps: ExecuteChangeSetDeps,
): Promise<StackOperation> {
  const changeSetArn = assertInspectedSafe(input);
  const { changeSet, deploymentId } = input;
  let stackId = changeSet.stackId;
  if (stackId === undefined) {
    stackId = (await describe(deps.cfn, changeSetArn)).StackId;
    if (stackId === undefined) {
      throw new CloudFormationError(`DescribeChangeSet of ${changeSetArn} returned no StackId`);
    }
  }

  const startedAt = (deps.now ?? (() => new Date()))();
  try {
    await deps.cfn.send(
      new ExecuteChangeSetCommand({
        ChangeSetName: changeSetArn,
        ClientRequestToken: clientRequestToken(deploymentId, 'execute-change-set'),
      }),
    );
  } catch (error) {
    if (errorNameOf(error) !== 'InvalidChangeSetStatusException') {
      throw toTaskError(error, 'ExecuteChangeSet', changeSetArn);
    }
    // A retried invocation whose first ExecuteChangeSet went through finds the change set executing.
    const current = await describe(deps.cfn, changeSetArn).catch(() => undefined);
    if (!current?.ExecutionStatus || !ALREADY_EXECUTING.has(current.ExecutionStatus)) {
      const state = current ? ` (status ${current.Status}, execution status ${current.ExecutionStatus})` : '';
      throw new CloudFormationError(
        `ExecuteChangeSet on ${changeSetArn} of stack ${changeSet.stackName} was refused: ${error instanceof Error ? error.message : String(error)}${state}`,
        { cause: error },
      );
    }
  }
  return {
    kind: changeSet.changeSetType === 'CREATE' ? 'create' : 'update',
    stackName: changeSet.stackName,
    stackId,
    startedAt: startedAt.toISOString(),
    outcome: 'in-progress',
    poll: firstPoll(POLL_SCHEDULES.stackOperation, deps.random),
  };
}
