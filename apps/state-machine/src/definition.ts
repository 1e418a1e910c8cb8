import type { TaskName } from '@cfn-safe-deploy/state-payloads';
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Fail,
  type IChainable,
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
import { FUNCTION_FOR_TASK, FUNCTION_SPECS } from './functions.js';

/** The verdict under which, and only under which, a change set is executed. */
export const SAFE_VERDICT = 'CAN-SAFELY-UPDATE-EXISTING-STACK';

/** Errors every Task retries: transient Lambda service errors and the functions' own RetryableError. */
export const RETRYABLE_ERRORS = [
  'RetryableError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
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

/** Where each task's result goes in the deploy state (mirrors ResultKeys of state-payloads). */
const RESULT_PATHS = {
  loadTemplate: '$.template',
  checkStackExistence: '$.stack',
  createStack: '$.operation',
  deleteStack: '$.operation',
  getStackStatus: '$.operation',
  createChangeSet: '$.changeSet',
  getChangeSetStatus: '$.changeSet',
  inspectChangeSet: '$.inspection',
  executeChangeSet: '$.operation',
  deleteChangeSet: '$.changeSetDeletion',
} as const satisfies Record<TaskName, string>;

/** Construct ids cannot hold "/"; the state name is set apart, so the ASL keeps the readable name. */
function idOf(name: string): string {
  return name.replace(/\//g, '-');
}

const targetStackName = JsonPath.format(
  '{}-{}',
  JsonPath.stringAt('$.input.environmentName'),
  JsonPath.stringAt('$.input.stackName'),
);

/** Builds the Deploy workflow; `functionFor` gives the Lambda function of each task. */
export function buildDeployDefinition(
  scope: Construct,
  functionFor: (task: TaskName) => IFunction,
): IChainable {
  // ---- terminal states -------------------------------------------------------------------
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

  // ---- outcomes (shaped like OutcomeSchema of state-payloads) -------------------------------
  const outcome = (name: string, fields: Record<string, unknown>, next: State): Pass => {
    const pass = new Pass(scope, idOf(name), {
      stateName: name,
      parameters: fields,
      resultPath: '$.outcome',
    });
    pass.next(next);
    return pass;
  };
  /** A failed outcome; it goes on to `next` (Describe Failure, or a clean-up on the way there). */
  const failure = (
    name: string,
    stage: string,
    fields: Record<string, unknown>,
    next: State = describeFailure,
  ): Pass => outcome(name, { result: 'failed', stage, ...fields }, next);
  /** A CloudFormation failure whose reason (at `reasonPath`) may be missing: two outcomes, picked by a Choice rule. */
  const cloudFormationFailure = (
    name: string,
    stage: string,
    stackNamePath: string,
    reasonPath: string,
    next: State = describeFailure,
  ) => ({
    reasonPath,
    withReason: failure(
      name,
      stage,
      { stackName: JsonPath.stringAt(stackNamePath), reason: JsonPath.stringAt(reasonPath) },
      next,
    ),
    withoutReason: failure(
      `${name} Without Reason`,
      stage,
      {
        stackName: JsonPath.stringAt(stackNamePath),
        reason: 'CloudFormation reported the failure without a reason',
      },
      next,
    ),
  });

  const created = outcome(
    'Stack Created',
    {
      result: 'created',
      stackName: JsonPath.stringAt('$.operation.stackName'),
      stackId: JsonPath.stringAt('$.operation.stackId'),
    },
    succeeded,
  );
  const blueGreenCreated = outcome(
    'Blue/Green Stack Created',
    {
      result: 'blue-green',
      stackName: targetStackName,
      blueGreenStackName: JsonPath.stringAt('$.blueGreen.stackName'),
      stackId: JsonPath.stringAt('$.operation.stackId'),
      verdict: JsonPath.stringAt('$.inspection.verdict'),
      findings: JsonPath.listAt('$.inspection.findings'),
      findingCount: JsonPath.numberAt('$.inspection.findingCount'),
    },
    succeeded,
  );
  const updated = outcome(
    'Stack Updated',
    {
      result: 'updated',
      stackName: JsonPath.stringAt('$.operation.stackName'),
      stackId: JsonPath.stringAt('$.operation.stackId'),
    },
    succeeded,
  );
  const noChanges = outcome(
    'No Changes',
    { result: 'no-changes', stackName: JsonPath.stringAt('$.changeSet.stackName') },
    succeeded,
  );
  const changeSetRefused = outcome(
    'Change Set Refused',
    {
      result: 'refused',
      stackName: JsonPath.stringAt('$.changeSet.stackName'),
      verdict: JsonPath.stringAt('$.inspection.verdict'),
      findings: JsonPath.listAt('$.inspection.findings'),
      findingCount: JsonPath.numberAt('$.inspection.findingCount'),
    },
    describeRefusal,
  );

  // ---- tasks ---------------------------------------------------------------------------------
  interface TaskOptions {
    /** Where the "<name> Errored" outcome goes. @default Describe Failure */
    readonly afterError?: State;
    /**
     * A caught error goes straight to `next` instead of an "<name> Errored" outcome, with the error
     * at `resultPath`: the outcome already decided is kept.
     */
    readonly catchInto?: { readonly next: State; readonly resultPath: string };
  }
  const task = (name: TaskStateName, options: TaskOptions = {}): LambdaInvoke => {
    const taskName = TASK_STATES[name];
    const invoke = new LambdaInvoke(scope, idOf(name), {
      stateName: name,
      lambdaFunction: functionFor(taskName),
      // The Resource is the function ARN: the state receives the deploy state as is, and a thrown
      // error's `name` is the error Retry and Catch match on.
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: RESULT_PATHS[taskName],
      // Explicit, so that AWS (default: none) and aws-local-stepfunctions (default: 60 s) agree.
      taskTimeout: Timeout.duration(
        Duration.seconds(
          FUNCTION_SPECS[FUNCTION_FOR_TASK[taskName]].timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS,
        ),
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
          { stackName: targetStackName, error: JsonPath.objectAt('$.error') },
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
  const wait = (name: string, secondsPath: string): Wait =>
    new Wait(scope, idOf(name), { stateName: name, time: WaitTime.secondsPath(secondsPath) });
  const choice = (name: string, comment: string): Choice =>
    new Choice(scope, idOf(name), { stateName: name, comment });

  /** "<operation> → Wait → Get status → <check>?" with bounded polling, shared by create, delete and update. */
  const pollStackOperation = (
    names: { wait: string; status: TaskStateName; check: string; failed: string; timedOut: string },
    stage: string,
    onSuccess: (c: Choice) => Choice,
  ) => {
    const waitState = wait(names.wait, '$.operation.poll.waitSeconds');
    const statusState = task(names.status);
    const check = choice(
      names.check,
      `Polls the ${stage} with backoff until it succeeds, fails or the polling budget is spent.`,
    );
    const failedOperation = cloudFormationFailure(
      names.failed,
      stage,
      '$.operation.stackName',
      '$.operation.reason',
    );
    const timedOut = failure(names.timedOut, stage, {
      stackName: JsonPath.stringAt('$.operation.stackName'),
      reason: JsonPath.format(
        'CloudFormation had not finished after {} seconds of polling',
        JsonPath.stringAt('$.operation.poll.waitedSeconds'),
      ),
    });
    waitState.next(statusState);
    statusState.next(
      onSuccess(check)
        .when(
          Condition.and(
            Condition.stringEquals('$.operation.outcome', 'failed'),
            Condition.isPresent(failedOperation.reasonPath),
          ),
          failedOperation.withReason,
        )
        .when(Condition.stringEquals('$.operation.outcome', 'failed'), failedOperation.withoutReason)
        .when(Condition.booleanEquals('$.operation.poll.exhausted', true), timedOut)
        .otherwise(waitState),
    );
    return waitState;
  };

  // ---- create ----------------------------------------------------------------------------------
  const createStack = task('Create Stack');
  const waitStackCreation = pollStackOperation(
    {
      wait: 'Wait Stack Creation',
      status: 'Get Stack Creation Status',
      check: 'Stack Created?',
      failed: 'Stack Creation Failed',
      timedOut: 'Stack Creation Timed Out',
    },
    'stack creation',
    (c) =>
      c
        .when(
          Condition.and(
            Condition.stringEquals('$.operation.outcome', 'succeeded'),
            Condition.isPresent('$.blueGreen'),
          ),
          blueGreenCreated,
        )
        .when(Condition.stringEquals('$.operation.outcome', 'succeeded'), created),
  );
  createStack.next(waitStackCreation);

  // ---- recovery of ROLLBACK_COMPLETE -------------------------------------------------------------
  const deleteFailedStack = task('Delete Failed Stack');
  deleteFailedStack.next(
    pollStackOperation(
      {
        wait: 'Wait Stack Deletion',
        status: 'Get Stack Deletion Status',
        check: 'Stack Deleted?',
        failed: 'Stack Deletion Failed',
        timedOut: 'Stack Deletion Timed Out',
      },
      'deletion of the stack left in ROLLBACK_COMPLETE',
      (c) => c.when(Condition.stringEquals('$.operation.outcome', 'succeeded'), createStack),
    ),
  );

  // ---- update by change set ----------------------------------------------------------------------
  // A change set that failed, never became ready, or whose status, inspection or execution errored
  // is deleted before the deployment fails: each pipeline run names its own, and left behind they
  // would pile up on the stack until CloudFormation refuses new ones. Best effort: when the deletion
  // fails too, the deployment still fails with the outcome already decided, and the deletion's error
  // is kept at $.changeSetCleanupError.
  const deleteFailedChangeSet = task('Delete Failed Change Set', {
    catchInto: { next: describeFailure, resultPath: '$.changeSetCleanupError' },
  });
  deleteFailedChangeSet.next(describeFailure);

  const executeChangeSet = task('Execute Change Set', { afterError: deleteFailedChangeSet });
  executeChangeSet.next(
    pollStackOperation(
      {
        wait: 'Wait Stack Update',
        status: 'Get Stack Update Status',
        check: 'Stack Updated?',
        failed: 'Stack Update Failed',
        timedOut: 'Stack Update Timed Out',
      },
      'stack update',
      (c) =>
        c
          // A CREATE change set (stack left in REVIEW_IN_PROGRESS) creates the stack.
          .when(
            Condition.and(
              Condition.stringEquals('$.operation.outcome', 'succeeded'),
              Condition.stringEquals('$.operation.kind', 'create'),
            ),
            created,
          )
          .when(Condition.stringEquals('$.operation.outcome', 'succeeded'), updated),
    ),
  );

  const prepareBlueGreen = new Pass(scope, idOf('Prepare Blue/Green Stack'), {
    stateName: 'Prepare Blue/Green Stack',
    comment: 'The unsafe change is deployed as a new stack; the existing stack is left as it is.',
    parameters: { stackName: JsonPath.stringAt('$.inspection.blueGreenStackName') },
    resultPath: '$.blueGreen',
  }).next(createStack);
  const deleteChangeSet = task('Delete Change Set').next(
    choice('Blue/Green?', 'The input asked for blue/green: create a new stack instead of failing.')
      .when(Condition.isPresent('$.inspection.blueGreenStackName'), prepareBlueGreen)
      .otherwise(changeSetRefused),
  );
  const inspect = task('Inspect Change Set Changes', { afterError: deleteFailedChangeSet }).next(
    choice(
      'Safe to Update Infra?',
      `Only the verdict ${SAFE_VERDICT} executes the change set; anything else deletes it.`,
    )
      .when(Condition.stringEquals('$.inspection.verdict', SAFE_VERDICT), executeChangeSet)
      .otherwise(deleteChangeSet),
  );
  const deleteNoopChangeSet = task('Delete No-op Change Set').next(noChanges);

  const changeSetCreated = choice(
    'Change Set Created?',
    'Polls the change set with backoff until it can be inspected, has no changes or failed.',
  );
  const waitChangeSet = wait('Wait Change Set Creation', '$.changeSet.poll.waitSeconds');
  const getChangeSetStatus = task('Get Change Set Status', { afterError: deleteFailedChangeSet });
  waitChangeSet.next(getChangeSetStatus);
  getChangeSetStatus.next(changeSetCreated);
  const changeSetFailed = cloudFormationFailure(
    'Change Set Failed',
    'change set creation',
    '$.changeSet.stackName',
    '$.changeSet.reason',
    deleteFailedChangeSet,
  );
  changeSetCreated
    .when(Condition.stringEquals('$.changeSet.next', 'inspect'), inspect)
    .when(Condition.stringEquals('$.changeSet.next', 'no-changes'), deleteNoopChangeSet)
    .when(
      Condition.and(
        Condition.stringEquals('$.changeSet.next', 'failed'),
        Condition.isPresent(changeSetFailed.reasonPath),
      ),
      changeSetFailed.withReason,
    )
    .when(Condition.stringEquals('$.changeSet.next', 'failed'), changeSetFailed.withoutReason)
    .when(
      Condition.and(
        Condition.stringEquals('$.changeSet.next', 'wait'),
        Condition.booleanEquals('$.changeSet.poll.exhausted', true),
      ),
      failure(
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
      failure(
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
  const createChangeSet = task('Create Change Set').next(changeSetCreated);

  // ---- entry: which path? ------------------------------------------------------------------------
  const checkStack = task('Check Stack Existence');
  const waitForStack = wait('Wait For Stack To Settle', '$.stack.poll.waitSeconds').next(checkStack);
  checkStack.next(
    choice(
      'Does Stack Exist?',
      'create: missing; recreate: ROLLBACK_COMPLETE; update: updatable or REVIEW_IN_PROGRESS; wait: busy; refuse: needs a person.',
    )
      .when(Condition.stringEquals('$.stack.next', 'create'), createStack)
      .when(Condition.stringEquals('$.stack.next', 'recreate'), deleteFailedStack)
      .when(Condition.stringEquals('$.stack.next', 'update'), createChangeSet)
      .when(
        Condition.stringEquals('$.stack.next', 'refuse'),
        failure('Stack Cannot Be Deployed', 'stack check', {
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
        failure('Stack Busy Too Long', 'waiting for the stack to settle', {
          stackName: JsonPath.stringAt('$.stack.stackName'),
          reason: JsonPath.stringAt('$.stack.reason'),
        }),
      )
      .when(
        Condition.and(Condition.stringEquals('$.stack.next', 'wait'), Condition.isPresent('$.stack.poll')),
        waitForStack,
      )
      .otherwise(
        failure('Stack Check Not Understood', 'stack check', {
          stackName: JsonPath.stringAt('$.stack.stackName'),
          reason: JsonPath.format(
            'Check Stack Existence answered next = {}, which this state machine does not handle',
            JsonPath.stringAt('$.stack.next'),
          ),
        }),
      ),
  );

  // The template is read once, before any stack is looked at: an unusable artifact fails the
  // deployment before anything changes, and every Task that needs the template takes it from $.template.
  const loadTemplate = task('Load Template').next(checkStack);

  return new Pass(scope, 'Start Deployment', {
    comment:
      'The execution input goes under $.input; the execution name (one per pipeline job) is the deployment id.',
    parameters: { input: JsonPath.objectAt('$'), deploymentId: JsonPath.stringAt('$$.Execution.Name') },
  }).next(loadTemplate);
}
