import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { interleaved, timeProcess } from './stats.js';
import type { BenchResult, BenchSuite } from './types.js';

const SUITE = 'lambda-bundles';
const ROUNDS = 15;
const SIZE_GOAL_KB = 300;
const RATIO_GOAL = 0.3;

const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = resolve(benchRoot, '../..');

function bundles(): { name: string; path: string }[] {
  const functionsDir = join(workspaceRoot, 'packages', 'functions');
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir)
    .map((name) => ({ name, path: join(functionsDir, name, 'dist', 'index.mjs') }))
    .filter((bundle) => existsSync(bundle.path))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Size of every built task Lambda bundle, and its cold-init overhead: a fresh Node process that
 * imports the bundle, minus a bare Node process, against the blog sample's way of loading its
 * clients (the whole AWS SDK v2: require('aws-sdk'), then a CloudFormation and an S3 client),
 * measured interleaved in one run.
 */
export const lambdaBundles: BenchSuite = {
  name: SUITE,
  async run(): Promise<readonly BenchResult[]> {
    const found = bundles();
    if (found.length === 0) {
      process.stderr.write(
        'bench: lambda-bundles: no packages/functions/*/dist/index.mjs; build the functions first\n',
      );
      return [];
    }
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const node = process.execPath;
    const results: BenchResult[] = [];

    for (const bundle of found) {
      const kb = statSync(bundle.path).size / 1024;
      // (sizes are read before the snapshots are taken)
      results.push({
        suite: SUITE,
        name: `${bundle.name} bundle size`,
        value: Number(kb.toFixed(1)),
        unit: 'KiB',
        goal: `≤ ${SIZE_GOAL_KB} KiB`,
        meetsGoal: kb <= SIZE_GOAL_KB,
      });
    }

    const commands: Record<string, () => number> = {
      bare: () => timeProcess(node, ['-e', '']),
      'aws-sdk-v2': () =>
        timeProcess(node, ['-e', "const AWS = require('aws-sdk'); new AWS.CloudFormation(); new AWS.S3();"], {
          cwd: benchRoot,
        }),
    };
    // Measure snapshots: a bundle being rebuilt meanwhile must not vanish mid-run.
    const snapshots = mkdtempSync(join(tmpdir(), 'lambda-bundles-'));
    for (const bundle of found) {
      const copy = join(snapshots, `${bundle.name}.mjs`);
      copyFileSync(bundle.path, copy);
      const url = pathToFileURL(copy).href;
      commands[bundle.name] = () =>
        timeProcess(node, ['--input-type=module', '-e', `await import(${JSON.stringify(url)});`]);
    }
    let medians: Record<string, number>;
    try {
      // One unmeasured pass first, so that no command pays for a cold file cache alone.
      for (const run of Object.values(commands)) run();
      medians = interleaved(commands, ROUNDS);
    } finally {
      rmSync(snapshots, { recursive: true, force: true });
    }
    const bare = medians.bare ?? 0;
    const v2 = (medians['aws-sdk-v2'] ?? 0) - bare;
    results.push({
      suite: SUITE,
      name: 'aws-sdk v2 (blog sample) cold-init overhead',
      value: Number(v2.toFixed(1)),
      unit: 'ms',
      details: { bareNodeMs: Number(bare.toFixed(1)), rounds: ROUNDS },
    });
    let worst = 0;
    for (const bundle of found) {
      const overhead = (medians[bundle.name] ?? 0) - bare;
      const ratio = v2 > 0 ? overhead / v2 : Number.NaN;
      worst = Math.max(worst, ratio);
      results.push({
        suite: SUITE,
        name: `${bundle.name} cold-init overhead`,
        value: Number(overhead.toFixed(1)),
        unit: 'ms',
        goal: `≤ ${RATIO_GOAL} × aws-sdk v2`,
        meetsGoal: ratio <= RATIO_GOAL,
        details: { ratioToSdkV2: Number(ratio.toFixed(3)) },
      });
    }
    results.push({
      suite: SUITE,
      name: 'worst cold-init ratio to aws-sdk v2',
      value: Number(worst.toFixed(3)),
      unit: '×',
      goal: `≤ ${RATIO_GOAL}`,
      meetsGoal: worst <= RATIO_GOAL,
    });
    return results;
  },
};
