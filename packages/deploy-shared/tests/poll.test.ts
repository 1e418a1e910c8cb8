import { describe, expect, it } from 'vitest';
import { firstPoll, nextPoll, POLL_SCHEDULES, type PollSchedule } from '../src/poll.js';

const schedule: PollSchedule = { initialSeconds: 5, factor: 2, maxSeconds: 60, budgetSeconds: 100 };
const noJitter = () => 0.5;

describe('nextPoll', () => {
  it('starts at the initial wait with nothing waited yet', () => {
    expect(firstPoll(schedule, noJitter)).toEqual({
      attempt: 1,
      waitSeconds: 5,
      waitedSeconds: 0,
      exhausted: false,
    });
  });

  it('doubles the wait up to the cap and adds up the time waited', () => {
    // Act
    const waits: number[] = [];
    let poll = firstPoll(schedule, noJitter);
    for (let i = 0; i < 6; i += 1) {
      waits.push(poll.waitSeconds);
      poll = nextPoll(poll, schedule, noJitter);
    }

    // Assess
    expect(waits).toEqual([5, 10, 20, 40, 60, 60]);
    expect(poll.attempt).toBe(7);
    expect(poll.waitedSeconds).toBe(5 + 10 + 20 + 40 + 60 + 60);
  });

  it('is exhausted once the time waited reaches the budget', () => {
    // Prepare
    const previous = { attempt: 4, waitSeconds: 40, waitedSeconds: 60, exhausted: false };

    // Act
    const poll = nextPoll(previous, schedule, noJitter);

    // Assess
    expect(poll.waitedSeconds).toBe(100);
    expect(poll.exhausted).toBe(true);
  });

  it('jitters the wait by at most 20% and never below one second', () => {
    expect(firstPoll(schedule, () => 0).waitSeconds).toBe(4);
    expect(firstPoll(schedule, () => 0.999999).waitSeconds).toBe(6);
    expect(firstPoll({ ...schedule, initialSeconds: 1 }, () => 0).waitSeconds).toBe(1);
  });

  it('uses Math.random by default, staying within the jitter band', () => {
    for (let i = 0; i < 50; i += 1) {
      const { waitSeconds } = firstPoll(POLL_SCHEDULES.busyStack);
      expect(waitSeconds).toBeGreaterThanOrEqual(12);
      expect(waitSeconds).toBeLessThanOrEqual(18);
    }
  });

  it('has the documented schedules', () => {
    expect(POLL_SCHEDULES.stackOperation).toEqual({
      initialSeconds: 5,
      factor: 2,
      maxSeconds: 60,
      budgetSeconds: 10_800,
    });
    expect(POLL_SCHEDULES.changeSet).toEqual({
      initialSeconds: 2,
      factor: 2,
      maxSeconds: 15,
      budgetSeconds: 900,
    });
    expect(POLL_SCHEDULES.busyStack).toEqual({
      initialSeconds: 15,
      factor: 2,
      maxSeconds: 60,
      budgetSeconds: 1800,
    });
  });
});
