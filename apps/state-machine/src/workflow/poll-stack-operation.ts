import { type Choice, Condition, JsonPath, type Wait } from 'aws-cdk-lib/aws-stepfunctions';
import type { TaskStateName, WorkflowStates } from './states.js';

/** The states of one polling loop, by name. */
export interface PollNames {
  readonly wait: string;
  readonly status: TaskStateName;
  readonly check: string;
  readonly failed: string;
  readonly timedOut: string;
}

/**
 * "Wait → Get status → <check>?" until the stack operation in `$.operation` succeeds, fails or
 * spends its polling budget: shared by stack creation, deletion and update. `onSuccess` adds the
 * Choice rules of success (tried first); failure, a spent budget and "wait again" follow. Returns
 * the Wait, which the operation's Task goes on to.
 */
export function pollStackOperation(
  states: WorkflowStates,
  names: PollNames,
  stage: string,
  onSuccess: (check: Choice) => Choice,
): Wait {
  const waitState = states.wait(names.wait, '$.operation.poll.waitSeconds');
  const statusState = states.task(names.status);
  const check = states.choice(
    names.check,
    `Polls the ${stage} with backoff until it succeeds, fails or the polling budget is spent.`,
  );
  const failedOperation = states.cloudFormationFailure(
    names.failed,
    stage,
    '$.operation.stackName',
    '$.operation.reason',
  );
  const timedOut = states.failure(names.timedOut, stage, {
    stackName: JsonPath.stringAt('$.operation.stackName'),
    reason: JsonPath.format(
      'CloudFormation had not finished after {} seconds of polling',
      JsonPath.stringAt('$.operation.poll.waitedSeconds'),
    ),
  });
  waitState.next(statusState);
  statusState.next(
    failedOperation
      .when(onSuccess(check), Condition.stringEquals('$.operation.outcome', 'failed'))
      .when(Condition.booleanEquals('$.operation.poll.exhausted', true), timedOut)
      .otherwise(waitState),
  );
  return waitState;
}
