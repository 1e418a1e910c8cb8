/** Pure classification of CloudFormation stack statuses. No AWS SDK here. */

export interface ExistingStackDecision {
  /** update: change set; recreate: delete the failed first create, then create; wait: poll; refuse: stop. */
  readonly next: 'update' | 'recreate' | 'wait' | 'refuse';
  readonly changeSetType: 'CREATE' | 'UPDATE';
  readonly reason: string;
}

export type OperationKind = 'create' | 'update' | 'delete';
export type OperationProgress = 'in-progress' | 'succeeded' | 'failed';

const UPDATABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

/** What to do about a *_FAILED stack, which no deployment can fix on its own. */
const FAILED_ADVICE: Readonly<Record<string, string>> = {
  UPDATE_ROLLBACK_FAILED:
    'an update rolled back and the rollback failed; fix the resources named in the stack events and run ContinueUpdateRollback (skipping resources if needed), then deploy again',
  ROLLBACK_FAILED:
    'the first create failed and its rollback failed too; delete the stack (retaining the resources that cannot be deleted), then deploy again',
  DELETE_FAILED:
    'a delete failed; fix the resources named in the stack events and delete the stack again, or retain them, then deploy again',
  IMPORT_ROLLBACK_FAILED:
    'an import rolled back and the rollback failed; fix the resources named in the stack events and continue the rollback, then deploy again',
  CREATE_FAILED:
    'the create failed and was not rolled back; inspect the stack events, delete the stack, then deploy again',
  UPDATE_FAILED:
    'an update failed and was not rolled back; roll the stack back (RollbackStack) or fix it, then deploy again',
};

/** Decides how a deployment proceeds with a stack that exists, given its status. Unknown statuses are refused. */
export function classifyExistingStack(status: string): ExistingStackDecision {
  if (status === 'REVIEW_IN_PROGRESS') {
    return {
      next: 'update',
      changeSetType: 'CREATE',
      reason:
        'the stack is in REVIEW_IN_PROGRESS (created by a CREATE change set that was never executed): treated as missing, deployed with a CREATE change set',
    };
  }
  if (status === 'ROLLBACK_COMPLETE') {
    return {
      next: 'recreate',
      changeSetType: 'CREATE',
      reason:
        'the stack is in ROLLBACK_COMPLETE (its first create failed and nothing of it remains): it can only be deleted, so it is deleted and created again',
    };
  }
  if (UPDATABLE.has(status)) {
    return {
      next: 'update',
      changeSetType: 'UPDATE',
      reason: `the stack is in ${status}: updated with a change set`,
    };
  }
  if (status.endsWith('_IN_PROGRESS')) {
    return {
      next: 'wait',
      changeSetType: 'UPDATE',
      reason: `the stack is busy in ${status}: waiting for that operation to finish`,
    };
  }
  const advice = FAILED_ADVICE[status];
  if (advice !== undefined || status.endsWith('_FAILED')) {
    return {
      next: 'refuse',
      changeSetType: 'UPDATE',
      reason: `the stack is in ${status}: ${advice ?? 'inspect the stack events and repair the stack by hand, then deploy again'}`,
    };
  }
  return {
    next: 'refuse',
    changeSetType: 'UPDATE',
    reason: `the stack is in ${status}, a status this deployment does not know how to handle safely: refused`,
  };
}

const PROGRESS: Readonly<Record<OperationKind, Readonly<Record<string, OperationProgress>>>> = {
  create: {
    CREATE_IN_PROGRESS: 'in-progress',
    ROLLBACK_IN_PROGRESS: 'in-progress',
    DELETE_IN_PROGRESS: 'in-progress',
    // A CREATE change set's stack starts here until the execution begins.
    REVIEW_IN_PROGRESS: 'in-progress',
    CREATE_COMPLETE: 'succeeded',
    ROLLBACK_COMPLETE: 'failed',
    // OnFailure DELETE removes a failed first create.
    DELETE_COMPLETE: 'failed',
  },
  update: {
    UPDATE_IN_PROGRESS: 'in-progress',
    UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'in-progress',
    UPDATE_ROLLBACK_IN_PROGRESS: 'in-progress',
    UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'in-progress',
    UPDATE_COMPLETE: 'succeeded',
    UPDATE_ROLLBACK_COMPLETE: 'failed',
    UPDATE_ROLLBACK_FAILED: 'failed',
    UPDATE_FAILED: 'failed',
    // Executing a CREATE change set (a stack left in REVIEW_IN_PROGRESS) goes through create statuses.
    REVIEW_IN_PROGRESS: 'in-progress',
    CREATE_IN_PROGRESS: 'in-progress',
    ROLLBACK_IN_PROGRESS: 'in-progress',
    CREATE_COMPLETE: 'succeeded',
    ROLLBACK_COMPLETE: 'failed',
  },
  delete: {
    DELETE_IN_PROGRESS: 'in-progress',
    // Right after DeleteStack the recovered stack may still show its old status.
    ROLLBACK_COMPLETE: 'in-progress',
    DELETE_COMPLETE: 'succeeded',
    DELETE_FAILED: 'failed',
  },
};

/**
 * Where a stack operation of `kind` stands, given the stack's status. Any *_FAILED status, and any
 * status the operation cannot lead to, counts as failed (fail closed).
 */
export function operationProgress(kind: OperationKind, status: string): OperationProgress {
  return PROGRESS[kind][status] ?? 'failed';
}
