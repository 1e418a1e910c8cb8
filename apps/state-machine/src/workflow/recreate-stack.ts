import { Condition, type State } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { pollStackOperation } from './poll-stack-operation.js';
import type { WorkflowStates } from './states.js';

/**
 * Recovery of a stack left in ROLLBACK_COMPLETE (a failed first create): Delete Failed Stack → poll
 * until deleted → `createStack`. Returns "Delete Failed Stack".
 */
export function recreateStackPath(states: WorkflowStates, createStack: State): LambdaInvoke {
  const deleteFailedStack = states.task('Delete Failed Stack');
  deleteFailedStack.next(
    pollStackOperation(
      states,
      {
        wait: 'Wait Stack Deletion',
        status: 'Get Stack Deletion Status',
        check: 'Stack Deleted?',
        failed: 'Stack Deletion Failed',
        timedOut: 'Stack Deletion Timed Out',
      },
      'deletion of the stack left in ROLLBACK_COMPLETE',
      (check) => check.when(Condition.stringEquals('$.operation.outcome', 'succeeded'), createStack),
    ),
  );
  return deleteFailedStack;
}
