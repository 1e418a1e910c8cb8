import { spawnSync } from 'node:child_process';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Wall time of one child process in milliseconds; throws when it exits non-zero unexpectedly. */
export function timeProcess(
  command: string,
  args: readonly string[],
  options: {
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly okExitCodes?: readonly number[];
  } = {},
): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const ok = options.okExitCodes ?? [0];
  if (result.status === null || !ok.includes(result.status)) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status}: ${result.stderr?.toString().slice(0, 500)}`,
    );
  }
  return elapsed;
}

/**
 * Runs each named command `rounds` times, interleaved (A B A B …) so that machine noise hits all
 * of them alike, and returns the median wall time of each.
 */
export function interleaved(
  commands: Readonly<Record<string, () => number>>,
  rounds: number,
): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (const name of Object.keys(commands)) samples[name] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, run] of Object.entries(commands)) samples[name]?.push(run());
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
}
