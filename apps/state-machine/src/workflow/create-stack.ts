import { Condition, JsonPath, type Pass } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { pollStackOperation } from './poll-stack-operation.js';
import { TARGET_STACK_NAME, type WorkflowStates } from './states.js';

export interface CreateStackPath {
  /** "Create Stack": the first state of the path. */
  readonly createStack: LambdaInvoke;
  /** The "Stack Created" outcome, also reached by a CREATE change set (stack in REVIEW_IN_PROGRESS). */
  readonly created: Pass;
}

/**
 * Create Stack → poll until created → "Stack Created", or "Blue/Green Stack Created" when the
 * deployment creates the blue/green stack of an unsafe change (`$.blueGreen` is set).
 */
export function createStackPath(states: WorkflowStates): CreateStackPath {
  const created = states.outcome(
    'Stack Created',
    {
      result: 'created',
      stackName: JsonPath.stringAt('$.operation.stackName'),
      stackId: JsonPath.stringAt('$.operation.stackId'),
    },
    states.succeeded,
  );
  const blueGreenCreated = states.outcome(
    'Blue/Green Stack Created',
    {
      result: 'blue-green',
      stackName: TARGET_STACK_NAME,
      blueGreenStackName: JsonPath.stringAt('$.blueGreen.stackName'),
      stackId: JsonPath.stringAt('$.operation.stackId'),
      verdict: JsonPath.stringAt('$.inspection.verdict'),
      findings: JsonPath.listAt('$.inspection.findings'),
      findingCount: JsonPath.numberAt('$.inspection.findingCount'),
    },
    states.succeeded,
  );
  const createStack = states.task('Create Stack');
  createStack.next(
    pollStackOperation(
      states,
      {
        wait: 'Wait Stack Creation',
        status: 'Get Stack Creation Status',
        check: 'Stack Created?',
        failed: 'Stack Creation Failed',
        timedOut: 'Stack Creation Timed Out',
      },
      'stack creation',
      (check) =>
        check
          .when(
            Condition.and(
              Condition.stringEquals('$.operation.outcome', 'succeeded'),
              Condition.isPresent('$.blueGreen'),
            ),
            blueGreenCreated,
          )
          .when(Condition.stringEquals('$.operation.outcome', 'succeeded'), created),
    ),
  );
  return { createStack, created };
}
