import type { WaitTiming } from './local-state-machine.js';

/**
 * How often CodePipeline invokes a Lambda action again after a PutJobSuccessResult with a
 * continuation token, in seconds. AWS does not document the interval; about 30 s is what is
 * observed (see the README, "Scaled time").
 */
export const CODEPIPELINE_CONTINUATION_SECONDS = 30;

/**
 * Simulated time: `timeScale` is the number of simulated (AWS) seconds that one real millisecond
 * stands for. One scale stretches or shrinks everything that waits on AWS: a CloudFormation
 * operation (`operationMs`), every Wait state's seconds and CodePipeline's continuation interval.
 */
export interface TimeScaleOptions {
  /** Simulated seconds per real millisecond (e.g. 0.5: a 30-minute operation lasts 3.6 s). */
  readonly timeScale: number;
  /**
   * Every Wait state lasts this many simulated seconds, whatever it schedules (the blog's fixed
   * loop, as a reference). @default the seconds each Wait schedules
   */
  readonly fixedWaitSeconds?: number;
}

/** Checks a time scale: a finite number of simulated seconds per real millisecond, above 0. */
export function checkTimeScale(options: TimeScaleOptions): void {
  const { timeScale, fixedWaitSeconds } = options;
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new Error(
      `timeScale must be a number of simulated seconds per real millisecond above 0 (got ${timeScale})`,
    );
  }
  if (fixedWaitSeconds !== undefined && (!Number.isFinite(fixedWaitSeconds) || fixedWaitSeconds < 0)) {
    throw new Error(`fixedWaitSeconds must be a number of seconds ≥ 0 (got ${fixedWaitSeconds})`);
  }
}

/** Real milliseconds that `seconds` of simulated time last. */
export function realMs(seconds: number, timeScale: number): number {
  return seconds / timeScale;
}

/** Simulated seconds that `ms` real milliseconds stand for. */
export function simulatedSeconds(ms: number, timeScale: number): number {
  return ms * timeScale;
}

/** How long each Wait state lasts under the time scale: its scheduled seconds (or the fixed ones), scaled. */
export function scaledWaitTiming(options: TimeScaleOptions): WaitTiming {
  const { timeScale, fixedWaitSeconds } = options;
  if (fixedWaitSeconds !== undefined) return realMs(fixedWaitSeconds, timeScale);
  return (scheduledSeconds) => realMs(scheduledSeconds, timeScale);
}
