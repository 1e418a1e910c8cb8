/**
 * Pure classification of a change set's DescribeChangeSet status: where the Deploy state machine goes
 * next. Unknown statuses fail closed (never "inspect", never "no-changes").
 */

import { isNoChangesReason } from '@cfn-safe-deploy/changeset-policy';

export type ChangeSetNext = 'wait' | 'inspect' | 'no-changes' | 'failed';

export interface ChangeSetClassification {
  readonly next: ChangeSetNext;
  /** Why, in words; CloudFormation's own StatusReason when it gave one for a FAILED change set. */
  readonly reason?: string;
}

/** The "nothing changed" StatusReason test is the change-set policy's: one definition for both. */
export { isNoChangesReason };

const IN_PROGRESS = new Set(['CREATE_PENDING', 'CREATE_IN_PROGRESS']);
const DELETING = new Set(['DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'DELETE_FAILED']);

function executionProblem(executionStatus: string | undefined): string {
  switch (executionStatus) {
    case undefined:
      return 'CloudFormation reported no ExecutionStatus, so it cannot be known to be executable';
    case 'UNAVAILABLE':
      return 'its ExecutionStatus is UNAVAILABLE (the stack may be busy or the change set unusable)';
    case 'OBSOLETE':
      return 'its ExecutionStatus is OBSOLETE: the stack was updated after the change set was created';
    case 'EXECUTE_IN_PROGRESS':
    case 'EXECUTE_COMPLETE':
    case 'EXECUTE_FAILED':
      return `its ExecutionStatus is ${executionStatus}: it was already executed`;
    default:
      return `its ExecutionStatus is ${executionStatus}, expected AVAILABLE`;
  }
}

/**
 * Decides what follows a DescribeChangeSet answer.
 * - CREATE_PENDING / CREATE_IN_PROGRESS → wait;
 * - CREATE_COMPLETE and ExecutionStatus AVAILABLE → inspect (even with no Changes: e.g. outputs only);
 * - FAILED because nothing changed → no-changes; any other FAILED → failed with CloudFormation's reason
 *   (a nested failure reads "Nested change set … Currently in FAILED": kept as CloudFormation wrote it);
 * - CREATE_COMPLETE but not executable, DELETE_*, or a status this code does not know → failed.
 */
export function classifyChangeSet(
  status: string | null | undefined,
  executionStatus: string | null | undefined,
  statusReason: string | null | undefined,
): ChangeSetClassification {
  const reason = typeof statusReason === 'string' && statusReason.length > 0 ? statusReason : undefined;
  const execution = executionStatus ?? undefined;
  if (typeof status === 'string' && IN_PROGRESS.has(status)) {
    return { next: 'wait', reason: `the change set is ${status}` };
  }
  if (status === 'CREATE_COMPLETE') {
    if (execution === 'AVAILABLE') return { next: 'inspect' };
    return { next: 'failed', reason: `the change set is CREATE_COMPLETE but ${executionProblem(execution)}` };
  }
  if (status === 'FAILED') {
    if (isNoChangesReason(reason)) return { next: 'no-changes', reason };
    return { next: 'failed', reason: reason ?? 'the change set is FAILED and CloudFormation gave no reason' };
  }
  if (typeof status === 'string' && DELETING.has(status)) {
    const suffix = reason ? `: ${reason}` : '';
    return { next: 'failed', reason: `the change set is being or was deleted (${status})${suffix}` };
  }
  const shown = typeof status === 'string' ? `"${status}"` : 'no status';
  return {
    next: 'failed',
    reason: `CloudFormation reported ${shown} for the change set; expected CREATE_PENDING, CREATE_IN_PROGRESS, CREATE_COMPLETE or FAILED`,
  };
}

/**
 * True when CloudFormation answered that the change set does not exist (ChangeSetNotFoundException,
 * error code ChangeSetNotFound): deleted already, or never created. Any other error gives false.
 */
export function isChangeSetNotFoundError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { name, code, Code } = error as { name?: unknown; code?: unknown; Code?: unknown };
  return [name, code, Code].some(
    (value) => value === 'ChangeSetNotFoundException' || value === 'ChangeSetNotFound',
  );
}
