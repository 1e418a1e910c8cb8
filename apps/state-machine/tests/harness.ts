import {
  type ChangeSetState,
  type DeployState,
  type ExecutionInput,
  type Inspection,
  type Poll,
  type StackCheck,
  type StackOperation,
  type TaskName,
  Tasks,
} from '@cfn-safe-deploy/state-payloads';
import { type RunOptions as EngineRunOptions, StateMachine } from 'aws-local-stepfunctions';
import {
  type DeployDefinition,
  type FunctionName,
  functionOf,
  synthesizeDeployDefinition,
  TASK_STATES,
  type TaskStateName,
} from '../src/index.js';

/** What a stub task handler receives: the deploy state, and which state called it how many times. */
export interface StubCall {
  readonly stateName: TaskStateName;
  /** 1 for the first call of this state in the execution, counting retries. */
  readonly call: number;
}
export type Stub = (state: DeployState, call: StubCall) => unknown;
export type Stubs = Partial<Record<FunctionName, Stub>>;

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** Names of the states entered, in order (a retried Task appears once; see `retries`). */
  readonly path: string[];
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Every state entered counts as one transition (a retry adds one more). */
  readonly transitions: number;
  readonly retries: number;
  /**
   * Inputs or results that broke the payload contract. Empty unless the run was started with
   * `allowContractViolations`: otherwise a violation makes `runDeploy` reject.
   */
  readonly contractViolations: string[];
}

export interface RunOptions {
  /**
   * Return the payload contract's violations in the result instead of rejecting: for a test that
   * breaks the contract on purpose and asserts what was broken.
   * @default false
   */
  readonly allowContractViolations?: boolean;
}

/** Thrown by `runDeploy` when a Task's input or a stub's result broke the payload contract. */
export class ContractViolationError extends Error {
  constructor(readonly violations: readonly string[]) {
    super(`the run broke the payload contract:\n- ${violations.join('\n- ')}`);
    this.name = 'ContractViolationError';
  }
}

type LocalHandlers = NonNullable<NonNullable<EngineRunOptions['overrides']>['taskResourceLocalHandlers']>;

let deployDefinition: DeployDefinition | undefined;
/** The synthesized definition, once per test file (synthesis takes seconds). */
export function deployed(): DeployDefinition {
  deployDefinition ??= synthesizeDeployDefinition();
  return deployDefinition;
}

export const EXECUTION_NAME = 'job-0123456789abcdef';

export const INPUT: ExecutionInput = {
  environmentName: 'prod',
  stackName: 'sample-lambda-app',
  templatePath: 'SampleLambdaApp.template.json',
  revisionS3Bucket: 'codepipeline-us-east-1-000000000000',
  revisionS3Key: 'pipeline/SourceArti/abc123.zip',
  onUnsafeChange: 'fail',
};
export const STACK_NAME = 'prod-sample-lambda-app';
export const STACK_ID = `arn:aws:cloudformation:us-east-1:123456789012:stack/${STACK_NAME}/11111111-2222-3333-4444-555555555555`;
export const CHANGE_SET_ARN = `arn:aws:cloudformation:us-east-1:123456789012:changeSet/${STACK_NAME}-${EXECUTION_NAME}/66666666-7777-8888-9999-000000000000`;

/** What Load Template puts in the state for a small template. */
export const TEMPLATE = { body: 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n', bytes: 46 };

export function poll(fields: Partial<Poll> = {}): Poll {
  return { attempt: 1, waitSeconds: 5, waitedSeconds: 0, exhausted: false, ...fields };
}

export function stackCheck(next: StackCheck['next'], fields: Partial<StackCheck> = {}): StackCheck {
  const exists = next !== 'create';
  return {
    stackName: STACK_NAME,
    exists,
    ...(exists ? { stackId: STACK_ID, status: 'UPDATE_COMPLETE' } : {}),
    changeSetType: 'UPDATE',
    next,
    reason: `stub: ${next}`,
    ...fields,
  };
}

export function operation(
  kind: StackOperation['kind'],
  outcome: StackOperation['outcome'],
  fields: Partial<StackOperation> = {},
): StackOperation {
  return {
    kind,
    stackName: STACK_NAME,
    stackId: STACK_ID,
    startedAt: '2026-11-20T10:00:00.000Z',
    outcome,
    poll: poll(),
    ...fields,
  };
}

export function changeSet(
  next: ChangeSetState['next'],
  fields: Partial<ChangeSetState> = {},
): ChangeSetState {
  return {
    changeSetName: `${STACK_NAME}-${EXECUTION_NAME}`,
    changeSetArn: CHANGE_SET_ARN,
    stackName: STACK_NAME,
    stackId: STACK_ID,
    changeSetType: 'UPDATE',
    status: next === 'wait' ? 'CREATE_PENDING' : next === 'inspect' ? 'CREATE_COMPLETE' : 'FAILED',
    next,
    poll: poll({ waitSeconds: 2 }),
    ...fields,
  };
}

export const REPLACE_FINDING = {
  stackPath: [],
  logicalResourceId: 'Function',
  resourceType: 'AWS::Lambda::Function',
  action: 'Modify',
  replacement: 'True',
  policyAction: 'ReplaceAndDelete',
  reason: 'AWS::Lambda::Function Function would be replaced (Replacement: True)',
  rule: 'replacement',
};

export function inspection(safe: boolean, fields: Partial<Inspection> = {}): Inspection {
  return {
    changeSetArn: CHANGE_SET_ARN,
    verdict: safe ? 'CAN-SAFELY-UPDATE-EXISTING-STACK' : 'RESOURCES-BEING-DELETED-OR-REPLACED',
    findings: safe ? [] : [REPLACE_FINDING],
    findingCount: safe ? 0 : 1,
    allowed: [],
    allowedCount: 0,
    changeCount: 1,
    ...fields,
  };
}

/** Makes a stub that answers each call with the next of `results` (the last one repeats). */
export function sequence(...results: Stub[]): Stub {
  let index = 0;
  return (state, call) => {
    const stub = results[Math.min(index, results.length - 1)];
    index += 1;
    if (!stub) throw new Error('sequence() needs at least one stub');
    return stub(state, call);
  };
}

/** An error as a task function throws it: Step Functions matches Retry and Catch on its `name`. */
export function taskError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * Runs the deployed definition with aws-local-stepfunctions: each Task runs its function's stub
 * (validated against the payload contract both ways), every Wait and retry delay is 0. Load Template
 * answers TEMPLATE unless `stubs` has a stub of its own for it. A Task input or a stub result that
 * breaks the payload contract makes it reject with a ContractViolationError, unless
 * `options.allowContractViolations`.
 */
export async function runDeploy(
  given: Stubs,
  input: unknown = INPUT,
  options: RunOptions = {},
): Promise<RunResult> {
  const stubs: Stubs = { 'load-template': () => TEMPLATE, ...given };
  const { definition, taskFunctions } = deployed();
  const contractViolations: string[] = [];
  const calls = new Map<string, number>();
  const taskResourceLocalHandlers: LocalHandlers = {};
  for (const [stateName, functionName] of Object.entries(taskFunctions) as [TaskStateName, FunctionName][]) {
    const task: TaskName = TASK_STATES[stateName];
    if (functionOf(task) !== functionName) contractViolations.push(`${stateName} invokes ${functionName}`);
    taskResourceLocalHandlers[stateName] = async (state) => {
      const call = (calls.get(stateName) ?? 0) + 1;
      calls.set(stateName, call);
      const parsedInput = Tasks[task].input.safeParse(state);
      if (!parsedInput.success) contractViolations.push(`${stateName} input: ${parsedInput.error.message}`);
      const stub = stubs[functionName];
      if (!stub) throw taskError('NoStubError', `no stub for ${functionName} (state ${stateName})`);
      const result = await stub(state as DeployState, { stateName, call });
      const parsedResult = Tasks[task].result.safeParse(result);
      if (!parsedResult.success)
        contractViolations.push(`${stateName} result: ${parsedResult.error.message}`);
      return result as Awaited<ReturnType<LocalHandlers[string]>>;
    };
  }
  const zero = (type: string) =>
    Object.fromEntries(
      Object.entries(definition.States)
        .filter(([, state]) => state.Type === type)
        .map(([name]) => [name, 0]),
    );
  const machine = new StateMachine(definition as never);
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers,
      waitTimeOverrides: zero('Wait'),
      retryIntervalOverrides: zero('Task'),
    },
    context: { Execution: { Name: EXECUTION_NAME } },
  });
  const result = await collect(execution, contractViolations);
  if (contractViolations.length > 0 && options.allowContractViolations !== true)
    throw new ContractViolationError(contractViolations);
  return result;
}

async function collect(
  execution: ReturnType<StateMachine['run']>,
  contractViolations: string[],
): Promise<RunResult> {
  const path: string[] = [];
  let retries = 0;
  let failure: { Error: string; Cause: unknown } | undefined;
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered') path.push(event.state.name);
    if (event.type === 'StateRetried') retries += 1;
    if (event.type === 'ExecutionFailed') failure = { Error: event.Error, Cause: event.Cause };
  }
  try {
    const output = await execution.result;
    return {
      status: 'SUCCEEDED',
      path,
      output,
      transitions: path.length + retries,
      retries,
      contractViolations,
    };
  } catch (error) {
    if (!failure) throw error;
    return {
      status: 'FAILED',
      path,
      error: failure.Error,
      cause: String(failure.Cause),
      transitions: path.length + retries,
      retries,
      contractViolations,
    };
  }
}
