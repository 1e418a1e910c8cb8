import '@cfn-safe-deploy/state-machine/promise-with-resolvers';
import type { AslDefinition } from '@cfn-safe-deploy/state-machine';
import { executionArnFor, recordOf } from '@cfn-safe-deploy/state-payloads';
import type { StateMachine } from 'aws-local-stepfunctions';
import {
  addHistory,
  type ExecutionEvent,
  type ExecutionStatus,
  endExecution,
  type HistoryEvent,
  jsonText,
  type LocalExecution,
  PendingLambdaEvents,
  type StateRun,
} from './execution-history.js';
import {
  type Json,
  type LibraryEvent,
  type LibraryRun,
  overridesFor,
  parseJson,
  type RunContext,
  stateMachineOf,
  type TaskFunction,
  type WaitTiming,
} from './local-state-machine.js';

export type {
  ExecutionEvent,
  ExecutionStatus,
  HistoryEvent,
  LocalExecution,
  StateRun,
} from './execution-history.js';
export type { TaskInvoker } from './local-state-machine.js';

/** An error of the Step Functions API: `code` is the `__type` of the JSON error body. */
export class StepFunctionsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepFunctionsApiError';
  }
}

export type ExecutionListener = (execution: LocalExecution, event: ExecutionEvent) => void;

export interface StateMachineRegistration {
  readonly definition: AslDefinition;
  /** Each Task state's function (by state name) and the Resource it stands for. */
  readonly tasks: Readonly<Record<string, TaskFunction>>;
  /** How long every Wait lasts instead of its seconds: ms, or ms from its scheduled seconds. @default 0 */
  readonly waitMs?: WaitTiming;
  /** Every Retry waits this long instead of its interval. @default 0 */
  readonly retryMs?: number;
}

interface RegisteredMachine {
  readonly registration: StateMachineRegistration;
  readonly machine: StateMachine;
}

const NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;

/** Names may hold no control characters (U+0000–U+001F, U+007F–U+009F). */
function hasControlCharacter(name: string): boolean {
  return [...name].some((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  });
}
const MAX_INPUT_BYTES = 256 * 1024;
const ROLE_ARN = 'arn:aws:iam::123456789012:role/local';

/** The execution's input, checked as StartExecution checks it. */
function checkedInput(input: string): Json {
  if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
    throw new StepFunctionsApiError(
      'InvalidExecutionInput',
      `Invalid Execution Input: larger than ${MAX_INPUT_BYTES} bytes`,
    );
  }
  try {
    return parseJson(input);
  } catch (error) {
    throw new StepFunctionsApiError(
      'InvalidExecutionInput',
      `Invalid Execution Input: ${(error as Error).message}`,
    );
  }
}

/** The Context object of an execution (`$$.Execution`, `$$.StateMachine`). */
function contextOf(execution: LocalExecution, input: Json): RunContext {
  return {
    Execution: {
      Id: execution.executionArn,
      Name: execution.name,
      Input: input,
      StartTime: execution.startDate.toISOString(),
      RoleArn: ROLE_ARN,
    },
    StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineArn.split(':').at(-1) },
  };
}

/** A history event without the input and output of its details (`includeExecutionData: false`). */
function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const details = Object.entries(event).flatMap(([key, value]) => {
    const fields = recordOf(value);
    if (!key.endsWith('EventDetails') || fields === undefined) return [];
    const { input: _input, output: _output, ...rest } = fields;
    return [[key, rest] as const];
  });
  return { ...event, ...Object.fromEntries(details) };
}

/**
 * Step Functions for the emulator: the registered definition runs in aws-local-stepfunctions
 * (local-state-machine.ts), each Task through its function; executions keep a history shaped like
 * the real API's (execution-history.ts).
 */
export class LocalStepFunctions {
  private readonly machines = new Map<string, RegisteredMachine>();
  private readonly executions = new Map<string, LocalExecution>();
  private readonly listeners = new Set<ExecutionListener>();
  private readonly aborts = new Map<string, () => void>();

  registerStateMachine(arn: string, registration: StateMachineRegistration): void {
    this.machines.set(arn, { registration, machine: stateMachineOf(registration.definition) });
  }

  /** How many executions were started so far (a StartExecution answered with an existing one is not counted). */
  get executionCount(): number {
    return this.executions.size;
  }

  /** Listens to every execution's states; returns the function that stops listening. */
  subscribe(listener: ExecutionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  startExecution(request: { stateMachineArn?: string; name?: string; input?: string }): LocalExecution {
    const stateMachineArn = request.stateMachineArn ?? '';
    const registered = this.machines.get(stateMachineArn);
    if (registered === undefined) {
      throw new StepFunctionsApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    }
    const name = request.name ?? crypto.randomUUID();
    if (!NAME.test(name) || hasControlCharacter(name))
      throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    const parsedInput = checkedInput(input);
    const executionArn = executionArnFor(stateMachineArn, name);
    const existing = this.executions.get(executionArn);
    if (existing !== undefined) {
      // Same name and same input while it runs: the same execution (StartExecution is idempotent then).
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new StepFunctionsApiError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    return this.run(registered, { executionArn, stateMachineArn, name, input }, parsedInput);
  }

  describeExecution(executionArn: string | undefined): LocalExecution {
    const execution = this.executions.get(executionArn ?? '');
    if (execution === undefined) {
      throw new StepFunctionsApiError(
        'ExecutionDoesNotExist',
        `Execution Does Not Exist: '${executionArn ?? ''}'`,
      );
    }
    return execution;
  }

  stopExecution(executionArn: string | undefined, error?: string, cause?: string): LocalExecution {
    const execution = this.describeExecution(executionArn);
    if (execution.status === 'RUNNING') {
      const abort = this.aborts.get(execution.executionArn);
      this.end(execution, 'ABORTED', { error, cause });
      abort?.();
    }
    return execution;
  }

  /** Resolves when the execution changes (a state entered or left, or its end), or after `timeoutMs`. */
  waitForChange(executionArn: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const unsubscribe = this.subscribe((execution) => {
        if (execution.executionArn === executionArn) done();
      });
      function done(): void {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  }

  private emit(execution: LocalExecution, event: ExecutionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(execution, event);
      } catch {
        // a listener's problem is not the execution's
      }
    }
  }

  private end(
    execution: LocalExecution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    fields: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    if (endExecution(execution, status, fields)) this.emit(execution, { kind: 'execution-ended' });
  }

  /** Starts the library's run of the definition and follows it in the background. */
  private run(
    { registration, machine }: RegisteredMachine,
    start: { executionArn: string; stateMachineArn: string; name: string; input: string },
    parsedInput: Json,
  ): LocalExecution {
    let settle!: () => void;
    const execution: LocalExecution = {
      ...start,
      startDate: new Date(),
      status: 'RUNNING',
      history: [],
      states: [],
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    this.executions.set(execution.executionArn, execution);
    addHistory(execution, 'ExecutionStarted', {
      executionStartedEventDetails: { input: start.input, roleArn: ROLE_ARN },
    });
    const lambdaEvents = new PendingLambdaEvents(execution);
    const running = machine.run(parsedInput, {
      overrides: overridesFor(registration.definition, registration.tasks, lambdaEvents, {
        waitMs: registration.waitMs ?? 0,
        retryMs: registration.retryMs ?? 0,
      }),
      noThrowOnAbort: true,
      context: contextOf(execution, parsedInput),
    });
    this.aborts.set(execution.executionArn, running.abort);
    void this.follow(execution, running, lambdaEvents).finally(() => {
      this.aborts.delete(execution.executionArn);
      settle();
    });
    return execution;
  }

  /** Reads the library's event log into the execution's states and history, then its result. */
  private async follow(
    execution: LocalExecution,
    running: LibraryRun,
    lambdaEvents: PendingLambdaEvents,
  ): Promise<void> {
    const open: StateRun[] = [];
    for await (const event of running.eventLogs) this.onEvent(execution, event, open, lambdaEvents);
    try {
      const output = await running.result;
      this.end(execution, 'SUCCEEDED', { output: jsonText(output) });
    } catch (error) {
      const name = error instanceof Error ? error.constructor.name : '';
      if (name === 'ExecutionTimeoutError') {
        this.end(execution, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
      } else {
        this.end(execution, 'FAILED', {
          error: 'States.Runtime',
          cause: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** One event of the library's log; `open` holds the states entered and not yet left. */
  private onEvent(
    execution: LocalExecution,
    event: LibraryEvent,
    open: StateRun[],
    lambdaEvents: PendingLambdaEvents,
  ): void {
    if (event.type === 'StateEntered') {
      const state: StateRun = {
        name: event.state.name,
        type: event.state.type,
        enteredAt: event.timestamp,
        input: event.state.input,
        retries: 0,
      };
      execution.states.push(state);
      open.push(state);
      addHistory(execution, `${event.state.type}StateEntered`, {
        stateEnteredEventDetails: { name: state.name, input: jsonText(state.input) },
      });
      this.emit(execution, { kind: 'state-entered', state });
    } else if (event.type === 'StateExited') {
      const state =
        open.findLast((candidate) => candidate.name === event.state.name) ?? execution.states.at(-1);
      if (state === undefined) return;
      state.exitedAt = event.timestamp;
      state.output = event.state.output;
      open.splice(open.indexOf(state), 1);
      lambdaEvents.flush(state.name);
      addHistory(execution, `${state.type}StateExited`, {
        stateExitedEventDetails: { name: state.name, output: jsonText(state.output) },
      });
      this.emit(execution, { kind: 'state-exited', state });
    } else if (event.type === 'StateFailed' || event.type === 'StateRetried') {
      const state = open.findLast((candidate) => candidate.name === event.state.name);
      if (state === undefined) return;
      lambdaEvents.flush(state.name);
      if (event.type === 'StateRetried') {
        state.retries += 1;
        this.emit(execution, { kind: 'state-retried', state });
      } else {
        state.error = event.Error;
        state.cause = jsonText(event.Cause);
        state.exitedAt = event.timestamp;
        this.emit(execution, { kind: 'state-failed', state });
      }
    } else if (event.type === 'ExecutionSucceeded') {
      this.end(execution, 'SUCCEEDED', { output: jsonText(event.output) });
    } else if (event.type === 'ExecutionFailed') {
      // A Fail state ends its own state: there is no StateExited for it.
      for (const state of open) {
        state.exitedAt ??= event.timestamp;
        lambdaEvents.flush(state.name);
      }
      this.end(execution, 'FAILED', {
        error: event.Error,
        cause: event.Cause === undefined ? undefined : jsonText(event.Cause),
      });
    }
  }

  /** The history of an execution, paged like GetExecutionHistory. */
  history(request: {
    executionArn?: string;
    maxResults?: number;
    nextToken?: string;
    reverseOrder?: boolean;
    includeExecutionData?: boolean;
  }): { events: HistoryEvent[]; nextToken?: string } {
    const execution = this.describeExecution(request.executionArn);
    const maxResults =
      request.maxResults && request.maxResults > 0 ? Math.min(request.maxResults, 1000) : 100;
    const offset = request.nextToken === undefined ? 0 : Number.parseInt(request.nextToken, 10);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new StepFunctionsApiError('InvalidToken', `Invalid Token: '${request.nextToken ?? ''}'`);
    }
    const ordered = request.reverseOrder ? [...execution.history].reverse() : execution.history;
    let events = ordered.slice(offset, offset + maxResults);
    if (request.includeExecutionData === false) events = events.map(withoutExecutionData);
    const next = offset + maxResults < ordered.length ? String(offset + maxResults) : undefined;
    return { events, ...(next === undefined ? {} : { nextToken: next }) };
  }
}
