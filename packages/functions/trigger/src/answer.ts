import {
  causeMessage,
  describeOutcome,
  MAX_PIPELINE_MESSAGE,
  type Outcome,
  OutcomeSchema,
} from '@cfn-safe-deploy/state-payloads';

/** CodePipeline's limit for `executionDetails.summary`. */
export const MAX_SUMMARY = 2048;

/** How the Trigger answers one invocation of a pipeline job. */
export type JobAnswer =
  | {
      /** The execution is still running: PutJobSuccessResult with a continuation token. */
      readonly kind: 'continue';
      readonly executionArn: string;
      readonly continuationToken: string;
      readonly summary: string;
    }
  | {
      /** The deployment succeeded: the final PutJobSuccessResult, with output variables. */
      readonly kind: 'succeeded';
      readonly executionArn: string;
      readonly summary: string;
      readonly outputVariables: Readonly<Record<string, string>>;
    }
  | {
      /** PutJobFailureResult; the message is what the person looking at the red pipeline reads. */
      readonly kind: 'failed';
      readonly executionArn?: string;
      readonly message: string;
    };

/** What the Trigger needs of DescribeExecution's answer (kept free of SDK types). */
export interface ExecutionView {
  readonly executionArn: string;
  readonly status: string;
  readonly output?: string | undefined;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
  readonly stopDate?: Date | undefined;
}

/** The Step Functions error names under which the state machine fails with an Outcome as its cause. */
export const OUTCOME_ERRORS: readonly string[] = ['DeploymentFailed', 'DeploymentRefused'];

export function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function parseOutcome(json: string | undefined): Outcome | undefined {
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const result = OutcomeSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

function outputVariablesFor(outcome: Outcome, executionArn: string): Record<string, string> {
  const variables: Record<string, string> = { result: outcome.result, executionArn };
  if (outcome.stackName !== undefined) variables.stackName = outcome.stackName;
  if (outcome.result === 'blue-green') variables.blueGreenStackName = outcome.blueGreenStackName;
  return variables;
}

function failed(executionArn: string, message: string): JobAnswer {
  return { kind: 'failed', executionArn, message: fit(message, MAX_PIPELINE_MESSAGE) };
}

function stoppedAt(execution: ExecutionView): string {
  return execution.stopDate === undefined ? '' : ` at ${execution.stopDate.toISOString()}`;
}

/** The error and cause a stopped execution gave, in words, or nothing. */
function givenReason(execution: ExecutionView): string {
  if (execution.error === undefined && execution.cause === undefined) return '';
  return ` Reason given: ${causeMessage({ Error: execution.error ?? 'no error name', Cause: execution.cause })}.`;
}

/**
 * True when the execution ended without reaching one of the state machine's outcomes: stopped, timed
 * out, or failed with an error that is not an outcome (the state machine's Catch, which deletes the
 * deployment's change set, did not run).
 */
export function endedWithoutOutcome(execution: ExecutionView): boolean {
  switch (execution.status) {
    case 'ABORTED':
    case 'TIMED_OUT':
      return true;
    case 'FAILED':
      return parseOutcome(execution.cause) === undefined;
    default:
      return false;
  }
}

/**
 * The answer for an execution as DescribeExecution reports it. `continuationToken` is the token
 * to hand back while it runs. Fails closed: an unknown status, or a success whose output is not an
 * outcome this Trigger understands, fails the job with a message that says so.
 */
export function answerForExecution(execution: ExecutionView, continuationToken: string): JobAnswer {
  const { executionArn } = execution;
  switch (execution.status) {
    case 'RUNNING':
    case 'PENDING_REDRIVE':
      return {
        kind: 'continue',
        executionArn,
        continuationToken,
        summary: fit(`The Deploy state machine is running (execution ${executionArn}).`, MAX_SUMMARY),
      };
    case 'SUCCEEDED': {
      const outcome = parseOutcome(execution.output);
      if (outcome === undefined) {
        return failed(
          executionArn,
          `The Deploy state machine execution succeeded, but its output is not a deployment outcome this Trigger understands, so the result cannot be confirmed. Look at the execution ${executionArn}.`,
        );
      }
      if (outcome.result === 'refused' || outcome.result === 'failed') {
        return failed(executionArn, describeOutcome(outcome));
      }
      return {
        kind: 'succeeded',
        executionArn,
        summary: describeOutcome(outcome, MAX_SUMMARY),
        outputVariables: outputVariablesFor(outcome, executionArn),
      };
    }
    case 'FAILED': {
      const outcome = parseOutcome(execution.cause);
      if (outcome !== undefined) return failed(executionArn, describeOutcome(outcome));
      const known = execution.error !== undefined && OUTCOME_ERRORS.includes(execution.error);
      return failed(
        executionArn,
        `The Deploy state machine execution failed${stoppedAt(execution)}${known ? ' (its cause is not a deployment outcome)' : ''}: ${causeMessage({ Error: execution.error ?? 'no error name', Cause: execution.cause })}`,
      );
    }
    case 'TIMED_OUT':
      return failed(
        executionArn,
        `The Deploy state machine execution timed out${stoppedAt(execution)} before reaching an outcome, so there is no verdict: the stack may still be changing or was left mid-operation. Look at the stack's events and the execution ${executionArn}.${givenReason(execution)}`,
      );
    case 'ABORTED':
      return failed(
        executionArn,
        `The Deploy state machine execution was aborted (stopped)${stoppedAt(execution)} before reaching an outcome, so there is no verdict: the stack may still be changing or was left mid-operation. Look at the stack's events and the execution ${executionArn}.${givenReason(execution)}`,
      );
    default:
      return failed(
        executionArn,
        `The Deploy state machine execution has the status "${execution.status}", which this Trigger does not know; failing rather than guessing. Look at the execution ${executionArn}.`,
      );
  }
}
