import {
  type CloudFormationClient,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { isChangeSetNotFoundError, isStackMissingError } from '@cfn-safe-deploy/deploy-shared';
import { changeSetDescriptionFor, changeSetNameFor, stackNameFor } from '@cfn-safe-deploy/state-payloads';
import { describeAwsError, isAwsError, isTransient } from './aws-errors.js';

/**
 * How long after an execution ended the Trigger keeps waiting for its change set to finish being
 * created before it gives up deleting it: CloudFormation creates a change set in minutes; the
 * deployment's own wait for it is bounded at 15 minutes.
 */
export const CLEAN_UP_PATIENCE_MS = 15 * 60 * 1000;

/** What the Trigger did about the change set of an execution that ended without an outcome. */
export type CleanUp =
  /** Nothing of this deployment is left to delete (no change set, or it was executed or deleted). */
  | { readonly kind: 'nothing'; readonly note?: string }
  /** The never-executed change set was deleted. */
  | { readonly kind: 'deleted'; readonly stackName: string; readonly changeSetName: string }
  /** It cannot be deleted yet (still being created, or CloudFormation was busy): ask again later. */
  | {
      readonly kind: 'pending';
      readonly stackName: string;
      readonly changeSetName: string;
      readonly why: string;
    }
  /** It is left, and the pipeline message says why, so that a person deletes it. */
  | { readonly kind: 'left'; readonly why: string };

/** What the clean-up needs of DescribeExecution's answer. */
export interface EndedExecution {
  readonly executionArn: string;
  /** The execution input, as DescribeExecution returns it. */
  readonly input?: string | undefined;
  readonly stopDate?: Date | undefined;
}

const NOT_EXECUTABLE = new Set(['EXECUTE_IN_PROGRESS', 'EXECUTE_COMPLETE', 'EXECUTE_FAILED', 'OBSOLETE']);
const BEING_CREATED = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);
const BEING_DELETED = new Set(['DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);

/** The stack named by the execution input (`<environmentName>-<stackName>`), or why it is not known. */
function stackOf(input: string | undefined): { stackName: string } | { why: string } {
  if (input === undefined) return { why: 'DescribeExecution returned no input, so the stack is not known' };
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch {
    return { why: 'the execution input is not JSON, so the stack is not known' };
  }
  const fields = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const { environmentName, stackName } = fields;
  if (typeof environmentName !== 'string' || typeof stackName !== 'string') {
    return { why: 'the execution input names no environmentName and stackName, so the stack is not known' };
  }
  try {
    return { stackName: stackNameFor(environmentName, stackName) };
  } catch (error) {
    return { why: error instanceof Error ? error.message : String(error) };
  }
}

/** The execution's name: the deployment id the state machine gives its tasks (`$$.Execution.Name`). */
function executionNameOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}

/**
 * Deletes the change set an execution created and never executed, when the execution ended without
 * an outcome (stopped, timed out, or failed outside the state machine's own Catch, which would have
 * deleted it). Left behind, an AVAILABLE change set can be executed later by anyone with the right,
 * without the policy ever having judged it. Only the deployment's own change set is touched: the name
 * derives from the execution name and its Description must say it is this deployment's. A change set
 * that CloudFormation is still creating cannot be deleted yet: the answer is `pending`, and the
 * Trigger asks again at the next continuation, for at most {@link CLEAN_UP_PATIENCE_MS}.
 */
export async function cleanUpAbandonedChangeSet(
  cfn: CloudFormationClient,
  execution: EndedExecution,
  now: Date,
): Promise<CleanUp> {
  const stack = stackOf(execution.input);
  if ('why' in stack)
    return { kind: 'left', why: `could not look for a change set left by it: ${stack.why}` };
  const { stackName } = stack;
  const deploymentId = executionNameOf(execution.executionArn);
  const changeSetName = changeSetNameFor(stackName, deploymentId);
  const where = `change set ${changeSetName} of stack ${stackName}`;
  // Without a stop date (AWS always gives one for an ended execution) there is no bound to wait for.
  // Patience runs from the execution's end, else from the change set's creation (AWS gives both);
  // with neither there is no bound to wait for, so the Trigger does not wait.
  const waitedTooLongSince = (reference: Date | undefined) =>
    reference === undefined || now.getTime() - reference.getTime() > CLEAN_UP_PATIENCE_MS;
  const later = (why: string, createdAt?: Date): CleanUp =>
    waitedTooLongSince(execution.stopDate ?? createdAt)
      ? {
          kind: 'left',
          why: `its ${where} may be left: ${why} ${CLEAN_UP_PATIENCE_MS / 60_000} minutes after the execution ended; delete it by hand`,
        }
      : { kind: 'pending', stackName, changeSetName, why };

  let described: DescribeChangeSetCommandOutput;
  try {
    described = await cfn.send(
      new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }),
    );
  } catch (error) {
    if (isChangeSetNotFoundError(error) || isStackMissingError(error)) return { kind: 'nothing' };
    if (isTransient(error)) return later(`DescribeChangeSet failed transiently (${describeAwsError(error)})`);
    return { kind: 'left', why: `could not check its ${where}: ${describeAwsError(error)}` };
  }
  if (described.Description !== changeSetDescriptionFor(deploymentId)) {
    return {
      kind: 'left',
      why: `the ${where} does not carry this deployment's description (${JSON.stringify(described.Description ?? '')}), so it was not touched`,
    };
  }
  const status = described.Status ?? 'UNKNOWN';
  const executionStatus = described.ExecutionStatus ?? 'UNKNOWN';
  if (BEING_DELETED.has(status)) return { kind: 'nothing' };
  if (NOT_EXECUTABLE.has(executionStatus)) {
    return { kind: 'nothing', note: `Its ${where} had been executed (${executionStatus}).` };
  }
  if (BEING_CREATED.has(status)) return later(`it is still ${status}`, described.CreationTime);

  try {
    await cfn.send(
      new DeleteChangeSetCommand({
        StackName: stackName,
        ChangeSetName: described.ChangeSetId ?? changeSetName,
      }),
    );
  } catch (error) {
    if (isChangeSetNotFoundError(error) || isStackMissingError(error)) return { kind: 'nothing' };
    if (isTransient(error) || isAwsError(error, 'InvalidChangeSetStatus')) {
      return later(`DeleteChangeSet failed (${describeAwsError(error)})`, described.CreationTime);
    }
    return {
      kind: 'left',
      why: `could not delete its ${where} (${status}, ${executionStatus}): ${describeAwsError(error)}`,
    };
  }
  return { kind: 'deleted', stackName, changeSetName };
}

/** The sentence the pipeline message gets about the clean-up. */
export function describeCleanUp(cleanUp: CleanUp): string {
  switch (cleanUp.kind) {
    case 'nothing':
      return cleanUp.note ?? '';
    case 'deleted':
      return `Its change set ${cleanUp.changeSetName} of stack ${cleanUp.stackName} was never executed and has been deleted.`;
    case 'pending':
      return `Waiting to delete its change set ${cleanUp.changeSetName} of stack ${cleanUp.stackName}: ${cleanUp.why}.`;
    case 'left':
      return `The Trigger ${cleanUp.why.startsWith('its ') ? 'found that ' : ''}${cleanUp.why}.`;
  }
}
