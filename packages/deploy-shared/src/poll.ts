import type { Poll } from '@cfn-safe-deploy/state-payloads';

/** How a polling loop backs off: the first wait, its growth, its cap and the loop's time budget (seconds). */
export interface PollSchedule {
  readonly initialSeconds: number;
  readonly factor: number;
  readonly maxSeconds: number;
  readonly budgetSeconds: number;
}

export const POLL_SCHEDULES = {
  /** A stack create, update or delete: 5 s doubling to 1 min, for at most 3 hours. */
  stackOperation: { initialSeconds: 5, factor: 2, maxSeconds: 60, budgetSeconds: 3 * 60 * 60 },
  /** A change set being created: 2 s doubling to 15 s, for at most 15 minutes. */
  changeSet: { initialSeconds: 2, factor: 2, maxSeconds: 15, budgetSeconds: 15 * 60 },
  /** Another operation on the stack (*_IN_PROGRESS) to finish: 15 s doubling to 1 min, for at most 30 minutes. */
  busyStack: { initialSeconds: 15, factor: 2, maxSeconds: 60, budgetSeconds: 30 * 60 },
} as const satisfies Record<string, PollSchedule>;

const JITTER = 0.2;

/**
 * The next step of a polling loop: one more attempt, the previous wait added to the time waited,
 * the next wait grown by the schedule (±20% jitter, so that parallel deployments spread out), and
 * `exhausted` once the time waited reaches the budget.
 */
export function nextPoll(
  previous: Poll | undefined,
  schedule: PollSchedule,
  random: () => number = Math.random,
): Poll {
  const done = previous?.attempt ?? 0;
  const waitedSeconds = (previous?.waitedSeconds ?? 0) + (previous?.waitSeconds ?? 0);
  const base = Math.min(schedule.maxSeconds, schedule.initialSeconds * schedule.factor ** done);
  const jittered = base * (1 + (random() * 2 - 1) * JITTER);
  return {
    attempt: done + 1,
    waitSeconds: Math.max(1, Math.round(jittered)),
    waitedSeconds,
    exhausted: waitedSeconds >= schedule.budgetSeconds,
  };
}

/** The first step of a polling loop. */
export function firstPoll(schedule: PollSchedule, random: () => number = Math.random): Poll {
  return nextPoll(undefined, schedule, random);
}
