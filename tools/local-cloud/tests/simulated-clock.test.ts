import '@cfn-safe-deploy/state-machine/promise-with-resolvers';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../src/simulated-clock.js';

const HOUR_MS = 3_600_000;

/** A Wait (by `wait`'s fields) then a Pass: the state machine the library runs. */
function waitMachine(wait: Record<string, unknown>): StateMachine {
  const definition = {
    StartAt: 'Wait',
    States: {
      Wait: { Type: 'Wait', ...wait, Next: 'Done' },
      Done: { Type: 'Pass', End: true },
    },
  };
  const asl: StateMachineDefinition = JSON.parse(JSON.stringify(definition));
  return new StateMachine(asl);
}

describe('SimulatedClock', () => {
  it('GIVEN a 30-minute sleep WHEN nothing else runs THEN it resolves with the clock 30 minutes on', async () => {
    // Prepare
    const clock = new SimulatedClock(0);
    // Act
    await clock.sleep(30 * 60_000);
    // Assess
    expect(clock.now()).toBeGreaterThanOrEqual(30 * 60_000);
    expect(clock.now()).toBeLessThan(31 * 60_000);
  });

  it('GIVEN sleeps of different lengths WHEN started together THEN they end in the order of their ends, each at or after it', async () => {
    // Prepare
    const clock = new SimulatedClock(0);
    const ended: Array<{ name: string; at: number }> = [];
    const sleep = (name: string, ms: number) =>
      clock.sleep(ms).then(() => ended.push({ name, at: clock.now() }));
    // Act
    await Promise.all([sleep('long', 60_000), sleep('short', 5_000), sleep('middle', 30_000)]);
    // Assess
    expect(ended.map((end) => end.name)).toEqual(['short', 'middle', 'long']);
    expect(ended[0]?.at).toBeGreaterThanOrEqual(5_000);
    expect(ended[1]?.at).toBeGreaterThanOrEqual(30_000);
    expect(ended[2]?.at).toBeGreaterThanOrEqual(60_000);
  });

  it('GIVEN work in progress WHEN a long sleep is pending THEN the clock does not jump before the work ends', async () => {
    // Prepare
    const clock = new SimulatedClock(0);
    const order: string[] = [];
    let releaseWork: () => void = () => undefined;
    const workGate = new Promise<void>((resolve) => {
      releaseWork = resolve;
    });
    // Act
    const work = clock.busy(async () => {
      await workGate;
      order.push(`work ended at ${clock.now() < HOUR_MS ? 'less than an hour' : 'an hour or more'}`);
    });
    const sleeping = clock.sleep(HOUR_MS).then(() => order.push('slept'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    releaseWork();
    await Promise.all([work, sleeping]);
    // Assess
    expect(order).toEqual(['work ended at less than an hour', 'slept']);
    expect(clock.now()).toBeGreaterThanOrEqual(HOUR_MS);
  });

  it('GIVEN an aborted signal WHEN sleeping THEN the sleep ends without moving the clock to its end', async () => {
    // Prepare
    const clock = new SimulatedClock(0);
    const abort = new AbortController();
    // Act
    const sleeping = clock.sleep(HOUR_MS, abort.signal);
    abort.abort();
    await sleeping;
    // Assess
    expect(clock.now()).toBe(0);
  });

  it('GIVEN a negative duration WHEN sleeping THEN it is refused with the value named', () => {
    expect(() => new SimulatedClock(0).sleep(-5)).toThrow(
      'a simulated sleep must be a number of milliseconds ≥ 0 (got -5)',
    );
  });
});

// aws-local-stepfunctions 3.0.0 overrides a Wait with a fixed number of milliseconds only: patched
// (patches/aws-local-stepfunctions@3.0.0.patch) so the override may be a function of the seconds
// the state schedules, read when it runs (SecondsPath from the state's input).
describe('Wait overrides in aws-local-stepfunctions (patched)', () => {
  it('GIVEN a Wait with SecondsPath WHEN its override is a function THEN it gets the seconds read from the input', async () => {
    // Prepare
    const seen: number[] = [];
    const machine = waitMachine({ SecondsPath: '$.poll.waitSeconds' });
    // Act
    await machine.run(
      { poll: { waitSeconds: 42 } },
      {
        overrides: {
          waitTimeOverrides: {
            Wait: (seconds) => {
              seen.push(seconds);
              return 0;
            },
          },
        },
      },
    ).result;
    // Assess
    expect(seen).toEqual([42]);
  });

  it('GIVEN a Wait with Seconds WHEN its override is a function THEN it gets the state’s seconds', async () => {
    // Prepare
    const seen: number[] = [];
    const machine = waitMachine({ Seconds: 7 });
    // Act
    await machine.run(
      {},
      {
        overrides: {
          waitTimeOverrides: {
            Wait: (seconds) => {
              seen.push(seconds);
              return 0;
            },
          },
        },
      },
    ).result;
    // Assess
    expect(seen).toEqual([7]);
  });

  it('GIVEN an hour-long SecondsPath WHEN the override sleeps on a simulated clock THEN the execution ends with the clock an hour on', async () => {
    // Prepare
    const clock = new SimulatedClock(0);
    const machine = waitMachine({ SecondsPath: '$.seconds' });
    // Act
    const output = await machine.run(
      { seconds: 3600 },
      {
        overrides: { waitTimeOverrides: { Wait: (seconds, signal) => clock.sleep(seconds * 1000, signal) } },
      },
    ).result;
    // Assess
    expect(output).toEqual({ seconds: 3600 });
    expect(clock.now()).toBeGreaterThanOrEqual(HOUR_MS);
  });
});
