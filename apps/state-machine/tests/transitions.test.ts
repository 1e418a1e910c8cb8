import { firstPoll, nextPoll, POLL_SCHEDULES, type PollSchedule } from '@cfn-safe-deploy/deploy-shared';
import type { Poll } from '@cfn-safe-deploy/state-payloads';
import { describe, expect, it } from 'vitest';
import { changeSet, inspection, operation, runDeploy, type Stubs, stackCheck } from './harness.js';

const UPDATE_SECONDS = 30 * 60;
/** The blog's loop: a fixed 10-second wait between status checks. */
const BLOG_FIXED_LOOP: PollSchedule = {
  initialSeconds: 10,
  factor: 1,
  maxSeconds: 10,
  budgetSeconds: 3 * 60 * 60,
};

/**
 * A safe update whose stack update takes `UPDATE_SECONDS`, polled with `schedule` (as get-stack-status
 * and execute-change-set do, through deploy-shared's nextPoll); `random` fixes the jitter.
 */
function thirtyMinuteUpdate(schedule: PollSchedule, random: () => number): Stubs {
  return {
    'check-stack-existence': () => stackCheck('update'),
    'create-change-set': () => changeSet('inspect'),
    'inspect-change-set': () => inspection(true),
    'execute-change-set': () => operation('update', 'in-progress', { poll: firstPoll(schedule, random) }),
    'get-stack-status': (state) => {
      const poll: Poll = nextPoll(state.operation?.poll, schedule, random);
      const done = poll.waitedSeconds >= UPDATE_SECONDS;
      return operation('update', done ? 'succeeded' : 'in-progress', {
        poll,
        status: done ? 'UPDATE_COMPLETE' : 'UPDATE_IN_PROGRESS',
      });
    },
  };
}

async function transitionsOf(stubs: Stubs): Promise<{ total: number; polls: number }> {
  const run = await runDeploy(stubs);
  expect(run.status).toBe('SUCCEEDED');
  return {
    total: run.transitions,
    polls: run.path.filter((name) => name === 'Get Stack Update Status').length,
  };
}

describe('state transitions of an emulated 30-minute stack update (documented in README.md)', () => {
  it("GIVEN the functions' backoff (5 s doubling to 60 s) WHEN the update takes 30 minutes THEN it costs about a fifth of the blog's fixed 10-second loop", async () => {
    // Act
    const nominal = await transitionsOf(thirtyMinuteUpdate(POLL_SCHEDULES.stackOperation, () => 0.5));
    const shortestWaits = await transitionsOf(thirtyMinuteUpdate(POLL_SCHEDULES.stackOperation, () => 0));
    const longestWaits = await transitionsOf(
      thirtyMinuteUpdate(POLL_SCHEDULES.stackOperation, () => 0.999_999),
    );
    const blog = await transitionsOf(thirtyMinuteUpdate(BLOG_FIXED_LOOP, () => 0.5));

    // Assess: 5+10+20+40 = 75 s, then 60 s waits: 33 polls of 3 transitions (Wait, Get status, Choice)
    // plus 11 for the rest of the path (Start, Load Template … Execute Change Set, Stack Updated, Deployment Succeeded)
    expect(nominal).toEqual({ polls: 33, total: 111 });
    // ±20% jitter at its extremes: every wait 20% shorter (4, 8, 16, 32, 48 s…) or longer (6, 12, 24, 48, 72 s…)
    expect(shortestWaits).toEqual({ polls: 41, total: 135 });
    expect(longestWaits).toEqual({ polls: 28, total: 96 });
    // the blog's fixed 10 s: 180 polls
    expect(blog).toEqual({ polls: 180, total: 552 });
  });
});
