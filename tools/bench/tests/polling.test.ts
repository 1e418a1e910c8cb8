import { describe, expect, it } from 'vitest';
import {
  costOf,
  type DeploymentCost,
  GOAL_LAG_SECONDS,
  GOAL_TRANSITIONS,
  phaseOffsetSeconds,
  resultsOf,
} from '../src/polling.js';

function run(name: string, type: string, retries = 0) {
  return { name, type, enteredAt: 0, input: {}, retries };
}

const states = [
  run('Load Template', 'Task'),
  run('Create Change Set', 'Task', 2),
  run('Change Set Created?', 'Choice'),
  run('Wait Change Set Creation', 'Wait'),
  run('Get Change Set Status', 'Task'),
  run('Wait Stack Update', 'Wait'),
  run('Get Stack Update Status', 'Task'),
  run('Updated', 'Succeed'),
];

describe('costOf', () => {
  it('GIVEN a record on the simulated clock WHEN costed THEN it counts entered states, invocations with retries, polls and the lag in seconds', () => {
    // Act
    const cost = costOf(
      { states, triggerInvocations: 4, clock: { startedAt: 1_000, answeredAt: 1_801_500, simulated: true } },
      1_790_000,
    );
    // Assess
    expect(cost).toEqual({
      transitions: 8,
      taskInvocations: 6,
      triggerInvocations: 4,
      lagSeconds: 11.5,
      totalSeconds: 1800.5,
      polls: 2,
    });
  });

  it('GIVEN a record in real time WHEN costed THEN it is refused: its times are not AWS times', () => {
    expect(() =>
      costOf({ states, triggerInvocations: 1, clock: { startedAt: 0, answeredAt: 10, simulated: false } }, 5),
    ).toThrow('the deployment did not run on the simulated clock');
  });
});

describe('resultsOf', () => {
  const cost = (transitions: number, lagSeconds: number): DeploymentCost => ({
    transitions,
    taskInvocations: 10,
    triggerInvocations: 5,
    lagSeconds,
    totalSeconds: 100,
    polls: 3,
  });

  it('GIVEN every case WHEN reported THEN only the 30-minute backoff medians carry the goals, checked', () => {
    // Prepare
    const figures = new Map<string, DeploymentCost[]>([
      ['60/backoff', [cost(20, 40)]],
      [
        '1800/backoff',
        [cost(GOAL_TRANSITIONS + 1, 50), cost(GOAL_TRANSITIONS + 1, GOAL_LAG_SECONDS), cost(90, 2)],
      ],
      ['1800/blog-10s', [cost(500, 5)]],
    ]);
    // Act
    const results = resultsOf(figures, { rounds: 1 });
    // Assess
    const withGoals = results.filter((result) => result.goal !== undefined);
    expect(withGoals.map((result) => [result.name, result.meetsGoal])).toEqual([
      ['30 min, safe-deploy backoff: state transitions', false],
      ['30 min, safe-deploy backoff: lag CloudFormation end → pipeline answered', true],
    ]);
    expect(results).toHaveLength(9);
    expect(withGoals[1]?.details).toMatchObject({ lagMinSeconds: 2, lagMaxSeconds: 50 });
    expect(
      results.find((result) => result.name === '1 min, safe-deploy backoff: Lambda invocations')?.value,
    ).toBe(15);
  });
});

describe('phaseOffsetSeconds', () => {
  it('GIVEN the rounds WHEN each is offset THEN the offsets spread over the continuation interval and never reach it', () => {
    // Act
    const offsets = Array.from({ length: 10 }, (_, round) => phaseOffsetSeconds(round));
    // Assess
    expect(offsets.slice(0, 4)).toEqual([0, 13, 26, 9]);
    expect(new Set(offsets).size).toBe(10);
    expect(Math.max(...offsets)).toBeLessThan(30);
  });
});
