import { Condition, JsonPath, type State } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { pollStackOperation } from './poll-stack-operation.js';
import type { WorkflowStates } from './states.js';

/**
 * Execute Change Set → poll until the update is done → "Stack Updated", or `created` for the CREATE
 * change set of a stack left in REVIEW_IN_PROGRESS. An error of the execution goes to
 * `deleteFailedChangeSet`. Returns "Execute Change Set".
 */
export function executeChangeSetPath(
  states: WorkflowStates,
  next: { readonly created: State; readonly deleteFailedChangeSet: State },
): LambdaInvoke {
  const updated = states.outcome(
    'Stack Updated',
    {
      result: 'updated',
      stackName: JsonPath.stringAt('$.operation.stackName'),
      stackId: JsonPath.stringAt('$.operation.stackId'),
    },
    states.succeeded,
  );
  const executeChangeSet = states.task('Execute Change Set', { afterError: next.deleteFailedChangeSet });
  executeChangeSet.next(
    pollStackOperation(
      states,
      {
        wait: 'Wait Stack Update',
        status: 'Get Stack Update Status',
        check: 'Stack Updated?',
        failed: 'Stack Update Failed',
        timedOut: 'Stack Update Timed Out',
      },
      'stack update',
      (check) =>
        check
          // A CREATE change set (stack left in REVIEW_IN_PROGRESS) creates the stack.
          .when(
            Condition.and(
              Condition.stringEquals('$.operation.outcome', 'succeeded'),
              Condition.stringEquals('$.operation.kind', 'create'),
            ),
            next.created,
          )
          .when(Condition.stringEquals('$.operation.outcome', 'succeeded'), updated),
    ),
  );
  return executeChangeSet;
}
