import { randomUUID } from 'node:crypto';
import type { Faults } from './faults.js';
import { LambdaFunctionError, type LocalLambda } from './lambda.js';

/** The services whose calls a faults file can throttle. */
export type ThrottledService = 'cloudformation' | 's3' | 'stepfunctions' | 'codepipeline';

/** What happened to one call or invocation because of the faults file (written to the log). */
export interface InjectedFault {
  readonly kind: 'throttle' | 'crash' | 'hang' | 'duplicate' | 'stop';
  readonly target: string;
}

/** A request the emulator itself makes to look at a stack (the deploy summary): never throttled. */
export const OBSERVER_HEADER = 'x-safe-deploy-observer';

/** The hang's share of a function's timeout when the faults file sets none. */
export const DEFAULT_TIMEOUT_SCALE = 0.01;

/** mulberry32: a small seeded generator, so that the same seed throttles the same calls. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The faults of one LocalCloud, as the emulated services meet them: which call is throttled, which
 * invocation crashes or hangs (`once` counts per function for the life of the cloud), whether the
 * Trigger is delivered twice, and when the execution is stopped from outside.
 */
export class FaultInjector {
  private readonly random: () => number;
  private readonly spent = new Set<string>();
  private readonly listeners = new Set<(fault: InjectedFault) => void>();

  constructor(readonly faults: Faults = {}) {
    this.random = seededRandom(faults.seed ?? 1);
  }

  /** Listens to every fault injected; returns the function that stops listening. */
  subscribe(listener: (fault: InjectedFault) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private injected(fault: InjectedFault): void {
    for (const listener of this.listeners) listener(fault);
  }

  /** Whether this call to `service` is answered with the service's throttling error. */
  throttles(service: ThrottledService, operation: string): boolean {
    const share = this.faults.throttle?.[service] ?? 0;
    if (share <= 0 || this.random() >= share) return false;
    this.injected({ kind: 'throttle', target: `${service} ${operation}` });
    return true;
  }

  get duplicateTrigger(): boolean {
    return this.faults.duplicateTrigger === true;
  }

  /** Reports that a Trigger invocation was delivered twice. */
  duplicated(): void {
    this.injected({ kind: 'duplicate', target: 'trigger' });
  }

  /** Reports that the execution was stopped from outside. */
  stopped(executionArn: string): void {
    this.injected({ kind: 'stop', target: executionArn });
  }

  /** The fault of this invocation of `functionName`, counting `once`. */
  private faultOf(functionName: string): 'crash' | 'hang' | undefined {
    for (const kind of ['crash', 'hang'] as const) {
      const howOften = this.faults[kind]?.[functionName];
      if (howOften === undefined) continue;
      const key = `${kind}:${functionName}`;
      if (howOften === 'once' && this.spent.has(key)) continue;
      this.spent.add(key);
      return kind;
    }
    return undefined;
  }

  /**
   * Invokes `lambda` as Lambda would with this invocation's fault: a crash ends the runtime before
   * the handler runs (`Runtime.ExitError`); a hang lets the handler do its work, then gives no
   * answer until the function's timeout (scaled by `timeoutScale`) and fails with
   * `Sandbox.Timedout`: what it did stays done, which is what makes a retry after a timeout hard.
   */
  async invoke(lambda: LocalLambda, event: unknown): Promise<unknown> {
    const fault = this.faultOf(lambda.spec.name);
    if (fault === undefined) return lambda.invoke(event);
    this.injected({ kind: fault, target: lambda.spec.name });
    const requestId = randomUUID();
    if (fault === 'crash') {
      throw new LambdaFunctionError(
        'Runtime.ExitError',
        `RequestId: ${requestId} Error: Runtime exited with error: exit status 1 (a crash injected by the faults file)`,
      );
    }
    const { timeoutSeconds } = lambda.spec;
    const hangMs = timeoutSeconds * 1000 * (this.faults.timeoutScale ?? DEFAULT_TIMEOUT_SCALE);
    const until = Date.now() + hangMs;
    await lambda.invoke(event).catch(() => undefined);
    await new Promise((done) => setTimeout(done, Math.max(0, until - Date.now())));
    throw new LambdaFunctionError(
      'Sandbox.Timedout',
      `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds (a hang injected by the faults file)`,
    );
  }
}
