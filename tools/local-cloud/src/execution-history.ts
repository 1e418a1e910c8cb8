/** What an execution of the emulated Step Functions records: its status, its states, its history. */

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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

/** A value as the history and the API carry it: JSON text. */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

export function addHistory(
  execution: LocalExecution,
  type: string,
  details: Record<string, unknown> = {},
  at = new Date(),
): void {
  const id = execution.history.length + 1;
  execution.history.push({ id, previousEventId: id - 1, timestamp: at, type, ...details });
}

/**
 * Ends a running execution with `status`: records the fields and the history event of that end.
 * Returns false when it had already ended (the first end wins, as in Step Functions).
 */
export function endExecution(
  execution: LocalExecution,
  status: Exclude<ExecutionStatus, 'RUNNING'>,
  fields: { output?: string; error?: string | undefined; cause?: string | undefined },
): boolean {
  if (execution.status !== 'RUNNING') return false;
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
      addHistory(execution, 'ExecutionSucceeded', {
        executionSucceededEventDetails: { output: fields.output },
      });
      break;
    case 'FAILED':
      addHistory(execution, 'ExecutionFailed', { executionFailedEventDetails: errorDetails });
      break;
    case 'ABORTED':
      addHistory(execution, 'ExecutionAborted', { executionAbortedEventDetails: errorDetails });
      break;
    case 'TIMED_OUT':
      addHistory(execution, 'ExecutionTimedOut', { executionTimedOutEventDetails: errorDetails });
      break;
  }
  return true;
}

/**
 * The Lambda events of Task states, held until their state is left. The library's event log is
 * read asynchronously, so a Task's function can run before its StateEntered is read: its Lambda
 * events wait here and join the history when the state is left or fails, after StateEntered.
 */
export class PendingLambdaEvents {
  private readonly pending = new Map<
    string,
    Array<{ type: string; details: Record<string, unknown>; at: Date }>
  >();

  constructor(private readonly execution: LocalExecution) {}

  add(stateName: string, type: string, details: Record<string, unknown> = {}): void {
    const list = this.pending.get(stateName) ?? [];
    list.push({ type, details, at: new Date() });
    this.pending.set(stateName, list);
  }

  /** Moves the state's held events into the history. */
  flush(stateName: string): void {
    for (const event of this.pending.get(stateName) ?? [])
      addHistory(this.execution, event.type, event.details, event.at);
    this.pending.delete(stateName);
  }
}
