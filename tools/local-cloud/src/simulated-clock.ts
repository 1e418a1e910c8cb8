import type { Clock } from './stack-operations.js';

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly resolve: () => void;
}

/**
 * Simulated time for the polling benchmark: waiting costs no real time, work costs what it costs.
 *
 * Everything that waits on AWS waits on this clock — each Wait state's seconds, CodePipeline's
 * continuation interval, a CloudFormation operation's duration (the overlay reads `now()`) — and
 * everything that works (a Lambda invocation: a task function, the Trigger) runs inside `busy()`.
 * While nothing is busy, the clock jumps straight to the next timer; while something is busy, it
 * runs at real speed, so an invocation's own milliseconds count as they are (as on AWS, where they
 * are milliseconds too) and are never stretched by a time scale. The jump waits for two
 * macrotask turns, so the promise continuations of a timer that just fired (the state machine
 * going on to its next Task) start their work before time moves again.
 */
export class SimulatedClock implements Clock {
  private simulated: number;
  private busyCount = 0;
  private busySince = 0;
  private readonly timers: Timer[] = [];
  private order = 0;
  private scheduled = false;
  private realTimer: NodeJS.Timeout | undefined;

  constructor(start: number = Date.now()) {
    this.simulated = start;
  }

  /** Milliseconds since the epoch, in simulated time. */
  now(): number {
    return this.busyCount > 0 ? this.simulated + (performance.now() - this.busySince) : this.simulated;
  }

  /** Resolves once `ms` of simulated time have passed (at once when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new Error(`a simulated sleep must be a number of milliseconds ≥ 0 (got ${ms})`);
    }
    return new Promise((resolve) => {
      const timer: Timer = { at: this.now() + ms, order: this.order++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.remove(timer);
          resolve();
        },
        { once: true },
      );
      this.schedule();
    });
  }

  /** Runs work that takes real time (a Lambda invocation): the clock does not jump meanwhile. */
  async busy<T>(work: () => Promise<T>): Promise<T> {
    if (this.busyCount === 0) this.busySince = performance.now();
    this.busyCount += 1;
    try {
      return await work();
    } finally {
      this.busyCount -= 1;
      if (this.busyCount === 0) this.simulated += performance.now() - this.busySince;
      this.schedule();
    }
  }

  private remove(timer: Timer): void {
    const index = this.timers.indexOf(timer);
    if (index >= 0) this.timers.splice(index, 1);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        this.scheduled = false;
        this.advance();
      }),
    );
  }

  /** Fires the timers that are due; when nothing is busy, first jumps to the earliest one. */
  private advance(): void {
    clearTimeout(this.realTimer);
    this.realTimer = undefined;
    this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
    const first = this.timers[0];
    if (first === undefined) return;
    if (this.busyCount === 0 && first.at > this.simulated) this.simulated = first.at;
    const now = this.now();
    const due = this.timers.filter((timer) => timer.at <= now);
    for (const timer of due) this.remove(timer);
    for (const timer of due) timer.resolve();
    const next = this.timers[0];
    if (next === undefined) return;
    if (this.busyCount > 0) {
      // Busy: time runs at real speed; look again when the next timer is due (or the work ends).
      this.realTimer = setTimeout(() => this.schedule(), Math.max(1, Math.ceil(next.at - now)));
    } else {
      this.schedule();
    }
  }
}
