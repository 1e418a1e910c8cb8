import type { TaskName } from '@cfn-safe-deploy/state-payloads';
import { ResultKeys } from '@cfn-safe-deploy/state-payloads';
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Fail,
  JitterType,
  JsonPath,
  Pass,
  type State,
  Succeed,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { FUNCTION_SPECS, functionOf } from '../functions.js';

/**
 * Errors every Task retries: transient Lambda service errors, the functions' own RetryableError,
 * and a function that crashed or timed out (`Runtime.ExitError`, `Sandbox.Timedout`,
 * `Lambda.Unknown`). Every task is safe to run again after it was cut short: the reads are reads,
 * and each write finds its own earlier call (client request tokens, a change set name unique to the
 * deployment, ExecuteChangeSet accepting a change set already executing).
 */
export const RETRYABLE_ERRORS = [
  'RetryableError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Runtime.ExitError',
  'Sandbox.Timedout',
] as const;

/** Errors that are never retried: retrying cannot change their outcome. */
export const NOT_RETRIED_ERRORS = [
  'InvalidInputError',
  'SafetyRefusedError',
  'CloudFormationError',
  'ArtifactError',
] as const;

/** Retry of a Task: 2 s, 4 s, 8 s, capped at 30 s, each delay drawn with full jitter. */
export const TASK_RETRY = {
  intervalSeconds: 2,
  backoffRate: 2,
  maxAttempts: 4,
  maxDelaySeconds: 30,
} as const;

/** A Task times out this long after its function would have (cold start, queueing). */
export const TASK_TIMEOUT_MARGIN_SECONDS = 30;

/** The Error of the Fail states; the Cause is the outcome as JSON. */
export const DEPLOYMENT_FAILED_ERROR = 'DeploymentFailed';
export const DEPLOYMENT_REFUSED_ERROR = 'DeploymentRefused';

/** Every Task state, by name, and the task of the payload contract it runs. */
export const TASK_STATES = {
  'Publish Assets': 'publishAssets',
  'Load Template': 'loadTemplate',
  'Check Stack Existence': 'checkStackExistence',
  'Create Stack': 'createStack',
  'Get Stack Creation Status': 'getStackStatus',
  'Delete Failed Stack': 'deleteStack',
  'Get Stack Deletion Status': 'getStackStatus',
  'Create Change Set': 'createChangeSet',
  'Get Change Set Status': 'getChangeSetStatus',
  'Inspect Change Set Changes': 'inspectChangeSet',
  'Execute Change Set': 'executeChangeSet',
  'Get Stack Update Status': 'getStackStatus',
  'Delete Change Set': 'deleteChangeSet',
  'Delete No-op Change Set': 'deleteChangeSet',
  'Delete Failed Change Set': 'deleteChangeSet',
} as const satisfies Record<string, TaskName>;
export type TaskStateName = keyof typeof TASK_STATES;

/** The stack the deployment targets: `<environmentName>-<stackName>` of the execution input. */
export const TARGET_STACK_NAME = JsonPath.format(
  '{}-{}',
  JsonPath.stringAt('$.input.environmentName'),
  JsonPath.stringAt('$.input.stackName'),
);

export interface TaskOptions {
  /** Where the "<name> Errored" outcome goes. @default Describe Failure */
  readonly afterError?: State;
  /**
   * A caught error goes straight to `next` instead of an "<name> Errored" outcome, with the error
   * at `resultPath`: the outcome already decided is kept.
   */
  readonly catchInto?: { readonly next: State; readonly resultPath: string };
}

/** A CloudFormation failure whose reason may be missing: two outcomes, picked by whether `reasonPath` is present. */
export interface CloudFormationFailure {
  readonly reasonPath: string;
  readonly withReason: Pass;
  readonly withoutReason: Pass;
  /**
   * Adds the two rules to `choice`: when `failed` holds, the outcome with the reason if there is one,
   * else the one without (a JSONPath to a missing field would be an uncaught States.Runtime error).
   */
  when(choice: Choice, failed: Condition): Choice;
}

/**
 * The states every path of the Deploy workflow is made of: the three endings and the factories of
 * Tasks (Retry, Catch, timeout), Waits, Choices and outcomes. Each path (src/workflow/*.ts) takes it
 * and returns its first state.
 */
export interface WorkflowStates {
  /** "Deployment Succeeded": outputs `$.outcome`. */
  readonly succeeded: Succeed;
  /** "Describe Failure" → "Deployment Failed": the failed outcome as JSON in the Cause. */
  readonly describeFailure: Pass;
  /** "Describe Refusal" → "Deployment Refused": the refused outcome as JSON in the Cause. */
  readonly describeRefusal: Pass;
  /** A Task that invokes the function of its task, retries transient errors and catches the rest. */
  task(name: TaskStateName, options?: TaskOptions): LambdaInvoke;
  /** A Wait whose seconds are read from the state at `secondsPath`. */
  wait(name: string, secondsPath: string): Wait;
  choice(name: string, comment: string): Choice;
  /** A Pass that writes `$.outcome` (shaped like OutcomeSchema of state-payloads) and goes on to `next`. */
  outcome(name: string, fields: Record<string, unknown>, next: State): Pass;
  /** A failed outcome; it goes on to `next` (Describe Failure, or a clean-up on the way there). */
  failure(name: string, stage: string, fields: Record<string, unknown>, next?: State): Pass;
  /** A CloudFormation failure of the stack at `stackNamePath`, with its reason at `reasonPath` when there is one. */
  cloudFormationFailure(
    name: string,
    stage: string,
    stackNamePath: string,
    reasonPath: string,
    next?: State,
  ): CloudFormationFailure;
}

/** Construct ids cannot hold "/"; the state name is set apart, so the ASL keeps the readable name. */
function idOf(name: string): string {
  return name.replace(/\//g, '-');
}

/** Where each task's result goes: `$.<key>` of its declaration in state-payloads. */
function resultPathOf(task: TaskName): string {
  return `$.${ResultKeys[task]}`;
}

function endings(
  scope: Construct,
): Pick<WorkflowStates, 'succeeded' | 'describeFailure' | 'describeRefusal'> {
  const succeeded = new Succeed(scope, 'Deployment Succeeded', {
    comment: 'The output is the outcome: created, updated, no-changes or blue-green.',
    outputPath: '$.outcome',
  });
  const failed = new Fail(scope, 'Deployment Failed', {
    comment: 'The Cause is the failed outcome as JSON (stage, stack, reason and/or the caught error).',
    error: DEPLOYMENT_FAILED_ERROR,
    causePath: '$.failure.cause',
  });
  const refused = new Fail(scope, 'Deployment Refused', {
    comment:
      'The change set would delete or replace resources: it was deleted, never executed. The Cause is the refused outcome as JSON.',
    error: DEPLOYMENT_REFUSED_ERROR,
    causePath: '$.failure.cause',
  });
  // Fail's CausePath takes intrinsic functions on AWS, but aws-local-stepfunctions reads it as a plain
  // path: the JSON text is computed by a Pass state, so the emulator runs the deployed definition as is.
  const describeFailure = new Pass(scope, 'Describe Failure', {
    parameters: { cause: JsonPath.jsonToString(JsonPath.objectAt('$.outcome')) },
    resultPath: '$.failure',
  });
  describeFailure.next(failed);
  const describeRefusal = new Pass(scope, 'Describe Refusal', {
    parameters: { cause: JsonPath.jsonToString(JsonPath.objectAt('$.outcome')) },
    resultPath: '$.failure',
  });
  describeRefusal.next(refused);
  return { succeeded, describeFailure, describeRefusal };
}

/** The states of the Deploy workflow in `scope`; `functionFor` gives the Lambda function of each task. */
export function workflowStates(scope: Construct, functionFor: (task: TaskName) => IFunction): WorkflowStates {
  const { succeeded, describeFailure, describeRefusal } = endings(scope);

  const outcome = (name: string, fields: Record<string, unknown>, next: State): Pass => {
    const pass = new Pass(scope, idOf(name), {
      stateName: name,
      parameters: fields,
      resultPath: '$.outcome',
    });
    pass.next(next);
    return pass;
  };
  const failure = (
    name: string,
    stage: string,
    fields: Record<string, unknown>,
    next: State = describeFailure,
  ): Pass => outcome(name, { result: 'failed', stage, ...fields }, next);

  const task = (name: TaskStateName, options: TaskOptions = {}): LambdaInvoke => {
    const taskName = TASK_STATES[name];
    const invoke = new LambdaInvoke(scope, idOf(name), {
      stateName: name,
      lambdaFunction: functionFor(taskName),
      // The Resource is the function ARN: the state receives the deploy state as is, and a thrown
      // error's `name` is the error Retry and Catch match on.
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: resultPathOf(taskName),
      // Explicit, so that AWS (default: none) and aws-local-stepfunctions (default: 60 s) agree.
      taskTimeout: Timeout.duration(
        Duration.seconds(FUNCTION_SPECS[functionOf(taskName)].timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS),
      ),
    });
    invoke.addRetry({
      errors: [...RETRYABLE_ERRORS],
      interval: Duration.seconds(TASK_RETRY.intervalSeconds),
      backoffRate: TASK_RETRY.backoffRate,
      maxAttempts: TASK_RETRY.maxAttempts,
      maxDelay: Duration.seconds(TASK_RETRY.maxDelaySeconds),
      jitterStrategy: JitterType.FULL,
    });
    if (options.catchInto === undefined) {
      invoke.addCatch(
        failure(
          `${name} Errored`,
          name,
          { stackName: TARGET_STACK_NAME, error: JsonPath.objectAt('$.error') },
          options.afterError,
        ),
        { errors: ['States.ALL'], resultPath: '$.error' },
      );
    } else {
      invoke.addCatch(options.catchInto.next, {
        errors: ['States.ALL'],
        resultPath: options.catchInto.resultPath,
      });
    }
    return invoke;
  };

  return {
    succeeded,
    describeFailure,
    describeRefusal,
    task,
    wait: (name, secondsPath) =>
      new Wait(scope, idOf(name), { stateName: name, time: WaitTime.secondsPath(secondsPath) }),
    choice: (name, comment) => new Choice(scope, idOf(name), { stateName: name, comment }),
    outcome,
    failure,
    cloudFormationFailure: (name, stage, stackNamePath, reasonPath, next = describeFailure) => {
      const withReason = failure(
        name,
        stage,
        { stackName: JsonPath.stringAt(stackNamePath), reason: JsonPath.stringAt(reasonPath) },
        next,
      );
      const withoutReason = failure(
        `${name} Without Reason`,
        stage,
        {
          stackName: JsonPath.stringAt(stackNamePath),
          reason: 'CloudFormation reported the failure without a reason',
        },
        next,
      );
      return {
        reasonPath,
        withReason,
        withoutReason,
        when: (choice, failed) =>
          choice
            .when(Condition.and(failed, Condition.isPresent(reasonPath)), withReason)
            .when(failed, withoutReason),
      };
    },
  };
}
