import type { AslDefinition } from '@cfn-safe-deploy/state-machine';
import { errorNameOf } from '@cfn-safe-deploy/state-payloads';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { jsonText, type PendingLambdaEvents } from './execution-history.js';

/**
 * The bridge to aws-local-stepfunctions, the library that runs the definition: its types, named
 * once, and what the emulator hands it (the definition, each Task's function, the overrides).
 */

/** JSON as the library types it. */
export type Json = Parameters<StateMachine['run']>[0];
export type RunContext = NonNullable<RunOptions['context']>;
type Overrides = NonNullable<RunOptions['overrides']>;
type TaskHandlers = NonNullable<Overrides['taskResourceLocalHandlers']>;
export type LibraryRun = ReturnType<StateMachine['run']>;
/** One event of the library's execution log. */
export type LibraryEvent = LibraryRun['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;

/** Parses JSON text (an execution's input) into the library's JSON type. */
export function parseJson(text: string): Json {
  const json: Json = JSON.parse(text);
  return json;
}

/** A function's result as JSON, as Lambda hands it on (a copy; `undefined` is `null`). */
function toJson(value: unknown): Json {
  const json: Json = JSON.parse(JSON.stringify(value ?? null));
  return json;
}

/**
 * The library's state machine for a synthesized definition. The definition is handed over as the
 * JSON it is: the library checks it against the States Language when it is constructed.
 */
export function stateMachineOf(definition: AslDefinition): StateMachine {
  const asl: StateMachineDefinition = JSON.parse(JSON.stringify(definition));
  return new StateMachine(asl);
}

/** A Task's function, invoked with the state's effective input. */
export type TaskInvoker = (input: unknown) => Promise<unknown>;

export interface TaskFunction {
  /** The Resource the Task state names (the function's ARN). */
  readonly resource: string;
  readonly invoke: TaskInvoker;
  readonly timeoutSeconds: number;
}

/** Each Task state's handler: its function, with the Lambda events Step Functions would record. */
function taskHandlers(
  tasks: Readonly<Record<string, TaskFunction>>,
  lambdaEvents: PendingLambdaEvents,
): TaskHandlers {
  const handlers: TaskHandlers = {};
  for (const [stateName, task] of Object.entries(tasks)) {
    handlers[stateName] = async (input) => {
      lambdaEvents.add(stateName, 'LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: {
          resource: task.resource,
          input: jsonText(input),
          timeoutInSeconds: task.timeoutSeconds,
        },
      });
      lambdaEvents.add(stateName, 'LambdaFunctionStarted');
      try {
        const output = toJson(await task.invoke(input));
        lambdaEvents.add(stateName, 'LambdaFunctionSucceeded', {
          lambdaFunctionSucceededEventDetails: { output: jsonText(output) },
        });
        return output;
      } catch (error) {
        const name = errorNameOf(error) ?? 'Error';
        const cause = error instanceof Error ? error.message : String(error);
        const timedOut = name === 'Sandbox.Timedout';
        lambdaEvents.add(stateName, timedOut ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', {
          [timedOut ? 'lambdaFunctionTimedOutEventDetails' : 'lambdaFunctionFailedEventDetails']: {
            error: name,
            cause,
          },
        });
        throw error;
      }
    };
  }
  return handlers;
}

/**
 * How long a Wait state lasts in the emulator: a fixed number of milliseconds, or a function of the
 * seconds the state schedules (its `Seconds`, or its `SecondsPath` read from the state's input when
 * it runs; the patched library hands them over, see the README) that returns milliseconds or the
 * promise of the wait itself (the simulated clock's sleep).
 */
export type WaitTiming =
  | number
  | ((scheduledSeconds: number, abortSignal?: AbortSignal) => number | Promise<void>);

/** The same timing for every state of `type` (`Retry`: every state with a Retry field). */
function everyState<T>(definition: AslDefinition, type: 'Wait' | 'Retry', timing: T): Record<string, T> {
  return Object.fromEntries(
    Object.entries(definition.States)
      .filter(([, state]) => state.Type === type || (type === 'Retry' && Array.isArray(state.Retry)))
      .map(([name]) => [name, timing]),
  );
}

/** How the emulator runs a definition: Tasks through their functions, Waits and Retries compressed. */
export function overridesFor(
  definition: AslDefinition,
  tasks: Readonly<Record<string, TaskFunction>>,
  lambdaEvents: PendingLambdaEvents,
  timing: { readonly waitMs: WaitTiming; readonly retryMs: number },
): Overrides {
  return {
    taskResourceLocalHandlers: taskHandlers(tasks, lambdaEvents),
    waitTimeOverrides: everyState(definition, 'Wait', timing.waitMs),
    retryIntervalOverrides: everyState(definition, 'Retry', timing.retryMs),
  };
}
