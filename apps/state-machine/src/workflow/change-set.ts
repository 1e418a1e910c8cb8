import { SAFE } from '@cfn-safe-deploy/changeset-policy';
import { Condition, JsonPath, type State } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { executeChangeSetPath } from './execute-change-set.js';
import { refuseChangeSetPath } from './refuse-change-set.js';
import type { WorkflowStates } from './states.js';

/**
 * The update of an existing stack: Create Change Set → poll until it can be inspected → Inspect
 * Change Set Changes → "Safe to Update Infra?" → only the policy's safe verdict executes it; any
 * other verdict refuses it. A change set without changes is deleted ("No Changes").
 *
 * A change set that failed, never became ready, or whose status, inspection or execution errored
 * is deleted before the deployment fails: each pipeline run names its own, and left behind they
 * would pile up on the stack until CloudFormation refuses new ones. Best effort: when the deletion
 * fails too, the deployment still fails with the outcome already decided, and the deletion's error
 * is kept at $.changeSetCleanupError. Returns "Create Change Set".
 */
export function updateByChangeSetPath(
  scope: Construct,
  states: WorkflowStates,
  next: { readonly createStack: State; readonly created: State },
): LambdaInvoke {
  const deleteFailedChangeSet = states.task('Delete Failed Change Set', {
    catchInto: { next: states.describeFailure, resultPath: '$.changeSetCleanupError' },
  });
  deleteFailedChangeSet.next(states.describeFailure);

  const executeChangeSet = executeChangeSetPath(states, { created: next.created, deleteFailedChangeSet });
  const deleteChangeSet = refuseChangeSetPath(scope, states, next.createStack);
  const inspect = states.task('Inspect Change Set Changes', { afterError: deleteFailedChangeSet });
  inspect.next(
    states
      .choice(
        'Safe to Update Infra?',
        `Only the verdict ${SAFE} executes the change set; anything else deletes it.`,
      )
      .when(Condition.stringEquals('$.inspection.verdict', SAFE), executeChangeSet)
      .otherwise(deleteChangeSet),
  );
  const deleteNoopChangeSet = states.task('Delete No-op Change Set');
  deleteNoopChangeSet.next(
    states.outcome(
      'No Changes',
      { result: 'no-changes', stackName: JsonPath.stringAt('$.changeSet.stackName') },
      states.succeeded,
    ),
  );

  const changeSetCreated = states.choice(
    'Change Set Created?',
    'Polls the change set with backoff until it can be inspected, has no changes or failed.',
  );
  const waitChangeSet = states.wait('Wait Change Set Creation', '$.changeSet.poll.waitSeconds');
  const getChangeSetStatus = states.task('Get Change Set Status', { afterError: deleteFailedChangeSet });
  waitChangeSet.next(getChangeSetStatus);
  getChangeSetStatus.next(changeSetCreated);
  const changeSetFailed = states.cloudFormationFailure(
    'Change Set Failed',
    'change set creation',
    '$.changeSet.stackName',
    '$.changeSet.reason',
    deleteFailedChangeSet,
  );
  changeSetFailed
    .when(
      changeSetCreated
        .when(Condition.stringEquals('$.changeSet.next', 'inspect'), inspect)
        .when(Condition.stringEquals('$.changeSet.next', 'no-changes'), deleteNoopChangeSet),
      Condition.stringEquals('$.changeSet.next', 'failed'),
    )
    .when(
      Condition.and(
        Condition.stringEquals('$.changeSet.next', 'wait'),
        Condition.booleanEquals('$.changeSet.poll.exhausted', true),
      ),
      states.failure(
        'Change Set Creation Timed Out',
        'change set creation',
        {
          stackName: JsonPath.stringAt('$.changeSet.stackName'),
          reason: JsonPath.format(
            'the change set was not ready after {} seconds of polling',
            JsonPath.stringAt('$.changeSet.poll.waitedSeconds'),
          ),
        },
        deleteFailedChangeSet,
      ),
    )
    .when(Condition.stringEquals('$.changeSet.next', 'wait'), waitChangeSet)
    .otherwise(
      states.failure(
        'Change Set Status Not Understood',
        'change set creation',
        {
          stackName: JsonPath.stringAt('$.changeSet.stackName'),
          reason: JsonPath.format(
            'Get Change Set Status answered next = {}, which this state machine does not handle',
            JsonPath.stringAt('$.changeSet.next'),
          ),
        },
        deleteFailedChangeSet,
      ),
    );
  const createChangeSet = states.task('Create Change Set');
  createChangeSet.next(changeSetCreated);
  return createChangeSet;
}
