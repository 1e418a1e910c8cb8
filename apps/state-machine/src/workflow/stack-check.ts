import { Condition, JsonPath, type State } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { WorkflowStates } from './states.js';

/** The first state of each path the stack check can choose. */
export interface StackPaths {
  /** The stack is missing. */
  readonly create: State;
  /** The stack is in ROLLBACK_COMPLETE. */
  readonly recreate: State;
  /** The stack can be updated (or is in REVIEW_IN_PROGRESS). */
  readonly update: State;
}

/**
 * Check Stack Existence → "Does Stack Exist?" → create, recreate or update; a busy stack is waited
 * for ("Wait For Stack To Settle", bounded), a stack that needs a person is refused. Returns "Check
 * Stack Existence".
 */
export function stackCheckPath(states: WorkflowStates, paths: StackPaths): LambdaInvoke {
  const checkStack = states.task('Check Stack Existence');
  const waitForStack = states.wait('Wait For Stack To Settle', '$.stack.poll.waitSeconds').next(checkStack);
  checkStack.next(
    states
      .choice(
        'Does Stack Exist?',
        'create: missing; recreate: ROLLBACK_COMPLETE; update: updatable or REVIEW_IN_PROGRESS; wait: busy; refuse: needs a person.',
      )
      .when(Condition.stringEquals('$.stack.next', 'create'), paths.create)
      .when(Condition.stringEquals('$.stack.next', 'recreate'), paths.recreate)
      .when(Condition.stringEquals('$.stack.next', 'update'), paths.update)
      .when(
        Condition.stringEquals('$.stack.next', 'refuse'),
        states.failure('Stack Cannot Be Deployed', 'stack check', {
          stackName: JsonPath.stringAt('$.stack.stackName'),
          reason: JsonPath.stringAt('$.stack.reason'),
        }),
      )
      .when(
        Condition.and(
          Condition.stringEquals('$.stack.next', 'wait'),
          Condition.isPresent('$.stack.poll'),
          Condition.booleanEquals('$.stack.poll.exhausted', true),
        ),
        states.failure('Stack Busy Too Long', 'waiting for the stack to settle', {
          stackName: JsonPath.stringAt('$.stack.stackName'),
          reason: JsonPath.stringAt('$.stack.reason'),
        }),
      )
      .when(
        Condition.and(Condition.stringEquals('$.stack.next', 'wait'), Condition.isPresent('$.stack.poll')),
        waitForStack,
      )
      .otherwise(
        states.failure('Stack Check Not Understood', 'stack check', {
          stackName: JsonPath.stringAt('$.stack.stackName'),
          reason: JsonPath.format(
            'Check Stack Existence answered next = {}, which this state machine does not handle',
            JsonPath.stringAt('$.stack.next'),
          ),
        }),
      ),
  );
  return checkStack;
}
