import '@cfn-safe-deploy/state-machine/promise-with-resolvers';
import type { AslDefinition } from '@cfn-safe-deploy/state-machine';
import { errorNameOf, executionArnFor } from '@cfn-safe-deploy/state-payloads';
import { StateMachine } from 'aws-local-stepfunctions';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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

/** A history event, shaped like the SDK's HistoryEvent (details under `<type>EventDetails`). */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  readonly [details: string]: unknown;
}

/** One state as it ran: what `safe-deploy` prints and the report shows. */
export interface StateRun {
  readonly name: string;
  readonly type: string;
  readonly enteredAt: number;
  exitedAt?: number;
  readonly input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  retries: number;
}

export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: HistoryEvent[];
  readonly states: StateRun[];
  /** Settles when the execution has ended. */
  readonly done: Promise<void>;
}

export type ExecutionEvent =
  | {
      readonly kind: 'state-entered' | 'state-exited' | 'state-failed' | 'state-retried';
      readonly state: StateRun;
    }
  | { readonly kind: 'execution-ended' };

export type ExecutionListener = (execution: LocalExecution, event: ExecutionEvent) => void;

/** A Task's function, invoked with the state's effective input. */
export type TaskInvoker = (input: unknown) => Promise<unknown>;

export interface StateMachineRegistration {
  readonly definition: AslDefinition;
  /** Each Task state's function (by state name) and the Resource it stands for. */
  readonly tasks: Readonly<
    Record<
      string,
      { readonly resource: string; readonly invoke: TaskInvoker; readonly timeoutSeconds: number }
    >
  >;
  /** Every Wait lasts this long instead of its seconds. @default 0 */
  readonly waitMs?: number;
  /** Every Retry waits this long instead of its interval. @default 0 */
  readonly retryMs?: number;
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

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/**
 * Step Functions for the emulator: the registered definition runs in aws-local-stepfunctions,
 * each Task through its function; executions keep a history shaped like the real API's.
 */
export class LocalStepFunctions {
  private readonly machines = new Map<
    string,
    { registration: StateMachineRegistration; machine: StateMachine }
  >();
  private readonly executions = new Map<string, LocalExecution>();
  private readonly listeners = new Set<ExecutionListener>();

  registerStateMachine(arn: string, registration: StateMachineRegistration): void {
    this.machines.set(arn, { registration, machine: new StateMachine(registration.definition as never) });
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
    if (Buffer.byteLength(input, 'utf8') > MAX_INPUT_BYTES) {
      throw new StepFunctionsApiError(
        'InvalidExecutionInput',
        `Invalid Execution Input: larger than ${MAX_INPUT_BYTES} bytes`,
      );
    }
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch (error) {
      throw new StepFunctionsApiError(
        'InvalidExecutionInput',
        `Invalid Execution Input: ${(error as Error).message}`,
      );
    }
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
    return this.run(registered, { executionArn, stateMachineArn, name, input, parsedInput });
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
      this.finish(execution, 'ABORTED', { error, cause });
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

  private readonly aborts = new Map<string, () => void>();

  private emit(execution: LocalExecution, event: ExecutionEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(execution, event);
      } catch {
        // a listener's problem is not the execution's
      }
    }
  }

  private addHistory(
    execution: LocalExecution,
    type: string,
    details: Record<string, unknown> = {},
    at = new Date(),
  ): void {
    const id = execution.history.length + 1;
    execution.history.push({ id, previousEventId: id - 1, timestamp: at, type, ...details });
  }

  private finish(
    execution: LocalExecution,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    fields: { output?: string; error?: string | undefined; cause?: string | undefined },
  ): void {
    if (execution.status !== 'RUNNING') return;
    execution.status = status;
    execution.stopDate = new Date();
    if (fields.output !== undefined) execution.output = fields.output;
    if (fields.error !== undefined) execution.error = fields.error;
    if (fields.cause !== undefined) execution.cause = fields.cause;
    const errorDetails = {
      ...(fields.error === undefined ? {} : { error: fields.error }),
      ...(fields.cause === undefined ? {} : { cause: fields.cause }),
    };
    switch (status) {
      case 'SUCCEEDED':
        this.addHistory(execution, 'ExecutionSucceeded', {
          executionSucceededEventDetails: { output: fields.output },
        });
        break;
      case 'FAILED':
        this.addHistory(execution, 'ExecutionFailed', { executionFailedEventDetails: errorDetails });
        break;
      case 'ABORTED':
        this.addHistory(execution, 'ExecutionAborted', { executionAbortedEventDetails: errorDetails });
        break;
      case 'TIMED_OUT':
        this.addHistory(execution, 'ExecutionTimedOut', { executionTimedOutEventDetails: errorDetails });
        break;
    }
    this.emit(execution, { kind: 'execution-ended' });
  }

  private run(
    registered: { registration: StateMachineRegistration; machine: StateMachine },
    start: {
      executionArn: string;
      stateMachineArn: string;
      name: string;
      input: string;
      parsedInput: unknown;
    },
  ): LocalExecution {
    const { registration, machine } = registered;
    let settle!: () => void;
    const execution: LocalExecution = {
      executionArn: start.executionArn,
      stateMachineArn: start.stateMachineArn,
      name: start.name,
      input: start.input,
      startDate: new Date(),
      status: 'RUNNING',
      history: [],
      states: [],
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
    };
    this.executions.set(execution.executionArn, execution);
    this.addHistory(execution, 'ExecutionStarted', {
      executionStartedEventDetails: { input: start.input, roleArn: 'arn:aws:iam::123456789012:role/local' },
    });

    // The event log is read asynchronously, so a Task's function can run before its StateEntered is
    // read: its Lambda events wait here and join the history when the state is left or fails.
    const lambdaEvents = new Map<
      string,
      Array<{ type: string; details: Record<string, unknown>; at: Date }>
    >();
    const lambdaEvent = (stateName: string, type: string, details: Record<string, unknown> = {}) => {
      const list = lambdaEvents.get(stateName) ?? [];
      list.push({ type, details, at: new Date() });
      lambdaEvents.set(stateName, list);
    };
    const flushLambdaEvents = (stateName: string) => {
      for (const event of lambdaEvents.get(stateName) ?? [])
        this.addHistory(execution, event.type, event.details, event.at);
      lambdaEvents.delete(stateName);
    };
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of Object.entries(registration.tasks)) {
      taskResourceLocalHandlers[stateName] = async (input: unknown) => {
        lambdaEvent(stateName, 'LambdaFunctionScheduled', {
          lambdaFunctionScheduledEventDetails: {
            resource: task.resource,
            input: text(input),
            timeoutInSeconds: task.timeoutSeconds,
          },
        });
        lambdaEvent(stateName, 'LambdaFunctionStarted');
        try {
          const output = await task.invoke(input);
          lambdaEvent(stateName, 'LambdaFunctionSucceeded', {
            lambdaFunctionSucceededEventDetails: { output: text(output) },
          });
          return output;
        } catch (error) {
          const name = errorNameOf(error) ?? 'Error';
          const cause = error instanceof Error ? error.message : String(error);
          lambdaEvent(
            stateName,
            name === 'Sandbox.Timedout' ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed',
            {
              [name === 'Sandbox.Timedout'
                ? 'lambdaFunctionTimedOutEventDetails'
                : 'lambdaFunctionFailedEventDetails']: { error: name, cause },
            },
          );
          throw error;
        }
      };
    }
    const every = (type: string, ms: number) =>
      Object.fromEntries(
        Object.entries(registration.definition.States)
          .filter(([, state]) => state.Type === type || (type === 'Retry' && Array.isArray(state.Retry)))
          .map(([name]) => [name, ms]),
      );
    const running = machine.run(start.parsedInput as never, {
      overrides: {
        taskResourceLocalHandlers: taskResourceLocalHandlers as never,
        waitTimeOverrides: every('Wait', registration.waitMs ?? 0),
        retryIntervalOverrides: every('Retry', registration.retryMs ?? 0),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          Input: start.parsedInput,
          StartTime: execution.startDate.toISOString(),
          RoleArn: 'arn:aws:iam::123456789012:role/local',
        },
        StateMachine: { Id: execution.stateMachineArn, Name: execution.stateMachineArn.split(':').at(-1) },
      } as never,
    });
    this.aborts.set(execution.executionArn, running.abort);

    const follow = async (): Promise<void> => {
      const open: StateRun[] = [];
      for await (const event of running.eventLogs) {
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
          this.addHistory(execution, `${event.state.type}StateEntered`, {
            stateEnteredEventDetails: { name: state.name, input: text(state.input) },
          });
          this.emit(execution, { kind: 'state-entered', state });
        } else if (event.type === 'StateExited') {
          const state =
            open.findLast((candidate) => candidate.name === event.state.name) ?? execution.states.at(-1);
          if (state === undefined) continue;
          state.exitedAt = event.timestamp;
          state.output = event.state.output;
          open.splice(open.indexOf(state), 1);
          flushLambdaEvents(state.name);
          this.addHistory(execution, `${state.type}StateExited`, {
            stateExitedEventDetails: { name: state.name, output: text(state.output) },
          });
          this.emit(execution, { kind: 'state-exited', state });
        } else if (event.type === 'StateFailed' || event.type === 'StateRetried') {
          const state = open.findLast((candidate) => candidate.name === event.state.name);
          if (state === undefined) continue;
          flushLambdaEvents(state.name);
          if (event.type === 'StateRetried') {
            state.retries += 1;
            this.emit(execution, { kind: 'state-retried', state });
          } else {
            state.error = event.Error;
            state.cause = text(event.Cause);
            state.exitedAt = event.timestamp;
            this.emit(execution, { kind: 'state-failed', state });
          }
        } else if (event.type === 'ExecutionSucceeded') {
          this.finish(execution, 'SUCCEEDED', { output: text(event.output) });
        } else if (event.type === 'ExecutionFailed') {
          // A Fail state ends its own state: there is no StateExited for it.
          for (const state of open) {
            state.exitedAt ??= event.timestamp;
            flushLambdaEvents(state.name);
          }
          this.finish(execution, 'FAILED', {
            error: event.Error,
            cause: event.Cause === undefined ? undefined : text(event.Cause),
          });
        }
      }
      try {
        const output = await running.result;
        this.finish(execution, 'SUCCEEDED', { output: text(output) });
      } catch (error) {
        const name = error instanceof Error ? error.constructor.name : '';
        if (name === 'ExecutionTimeoutError') {
          this.finish(execution, 'TIMED_OUT', { error: 'States.Timeout', cause: 'The execution timed out' });
        } else {
          this.finish(execution, 'FAILED', {
            error: 'States.Runtime',
            cause: error instanceof Error ? error.message : String(error),
          });
        }
      }
    };
    void follow().finally(() => {
      this.aborts.delete(execution.executionArn);
      settle();
    });
    return execution;
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
    if (request.includeExecutionData === false) {
      events = events.map(
        (event) =>
          Object.fromEntries(
            Object.entries(event).map(([key, value]) => {
              if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object')
                return [key, value];
              const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
              return [key, rest];
            }),
          ) as unknown as HistoryEvent,
      );
    }
    const next = offset + maxResults < ordered.length ? String(offset + maxResults) : undefined;
    return { events, ...(next === undefined ? {} : { nextToken: next }) };
  }
}
