import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';
import type { BenchResult, BenchSuite } from './types.js';

const SUITE = 'demo';
const ROUNDS = 3;
const GOAL_SECONDS = 20;

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Seconds of one `pnpm start` (node scripts/start.mjs), and the demo's own figure from its last line. */
function runOnce(): { wallSeconds: number; demoSeconds?: number; ok: boolean } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [join(workspaceRoot, 'scripts', 'start.mjs')], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const match = /ended as expected in ([\d.]+) (ms|s)\./.exec(result.stdout ?? '');
  const demoSeconds =
    match?.[1] === undefined ? undefined : Number(match[1]) / (match[2] === 'ms' ? 1000 : 1);
  return { wallSeconds, ...(demoSeconds === undefined ? {} : { demoSeconds }), ok: result.status === 0 };
}

/**
 * The wall time of `pnpm start` (build check, emulator start, sample app synthesis, the five
 * scenarios, emulator stop), after one warm-up run that builds and fills the caches.
 */
export const demo: BenchSuite = {
  name: SUITE,
  async run(): Promise<readonly BenchResult[]> {
    if (!existsSync(join(workspaceRoot, 'scripts', 'start.mjs'))) return [];
    const warmUp = runOnce();
    if (!warmUp.ok) {
      process.stderr.write('bench: demo: pnpm start failed (python3 with moto installed?); no figure\n');
      return [];
    }
    const runs = Array.from({ length: ROUNDS }, runOnce);
    const wall = median(runs.map((run) => run.wallSeconds));
    const inner = runs.flatMap((run) => (run.demoSeconds === undefined ? [] : [run.demoSeconds]));
    return [
      {
        suite: SUITE,
        name: 'pnpm start wall time (warm)',
        value: Number(wall.toFixed(2)),
        unit: 's',
        goal: `≤ ${GOAL_SECONDS} s`,
        meetsGoal: wall <= GOAL_SECONDS && runs.every((run) => run.ok),
        details: {
          rounds: ROUNDS,
          allScenariosAsExpected: runs.every((run) => run.ok) ? 'yes' : 'no',
          ...(inner.length > 0 ? { demoOnlySeconds: Number(median(inner).toFixed(2)) } : {}),
        },
      },
    ];
  },
};
