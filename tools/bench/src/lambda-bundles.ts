import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildFloorBundle, FLOOR_LABELS, FLOOR_STACKS, type FloorStack, SDK_CLIENTS } from './floor.js';
import { interleaved, timeProcess } from './stats.js';
import type { BenchResult, BenchSuite } from './types.js';

const SUITE = 'lambda-bundles';
const DEFAULT_ROUNDS = 60;

/** Interleaved rounds: BENCH_ROUNDS when set (a quick look), else 60 (the figures that are reported). */
function rounds(): number {
  const text = process.env.BENCH_ROUNDS;
  if (text === undefined || text === '') return DEFAULT_ROUNDS;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`bench: BENCH_ROUNDS=${JSON.stringify(text)} is not a whole number of rounds ≥ 1`);
  }
  return value;
}
/** The "≤ 300 KB", read strictly: 300,000 bytes. */
const SIZE_GOAL_BYTES = 300_000;
const RATIO_GOAL = 0.3;

const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = resolve(benchRoot, '../..');

/** The AWS SDK v2 client class for each v3 client package a bundle may hold ('client-s3' → 'S3'). */
const V2_CLIENTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SDK_CLIENTS).map(([v2, { pkg }]) => [pkg.replace('@aws-sdk/', ''), v2]),
);

interface Bundle {
  readonly name: string;
  readonly path: string;
  /** The SDK v2 classes of the clients the bundle holds, e.g. ["CloudFormation", "S3"]. */
  readonly v2Clients: readonly string[];
}

/** Which AWS SDK v3 clients went into a bundle, from esbuild's metafile next to it. */
function clientsOf(bundlePath: string): string[] {
  const metaPath = join(dirname(bundlePath), 'meta.json');
  if (!existsSync(metaPath)) {
    throw new Error(`bench: ${metaPath} is missing; rebuild the function (its build writes it)`);
  }
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as {
    outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown> }>;
  };
  const output = Object.values(meta.outputs).find((entry) => entry.entryPoint !== undefined);
  const found = new Set<string>();
  for (const input of Object.keys(output?.inputs ?? {})) {
    const match = /@aws-sdk[\\/](client-[\w-]+)[\\/]/.exec(input);
    if (match?.[1] === undefined) continue;
    const v2 = V2_CLIENTS[match[1]];
    if (v2 === undefined) {
      throw new Error(`bench: ${bundlePath} holds @aws-sdk/${match[1]}: add it to SDK_CLIENTS in floor.ts`);
    }
    found.add(v2);
  }
  return [...found].sort();
}

function bundles(): Bundle[] {
  const functionsDir = join(workspaceRoot, 'packages', 'functions');
  if (!existsSync(functionsDir)) return [];
  return readdirSync(functionsDir)
    .map((name) => ({ name, path: join(functionsDir, name, 'dist', 'index.mjs') }))
    .filter((bundle) => existsSync(bundle.path))
    .map((bundle) => ({ ...bundle, v2Clients: clientsOf(bundle.path) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The environment of every measured process. The maintenance notice that today's aws-sdk v2 prints
 * on load is turned off (the blog's sample ran before it existed; writing it costs ~10 ms), and a
 * machine-wide NODE_EXTRA_CA_CERTS is dropped (Node would read and parse that CA bundle in every
 * process, bare ones included: noise, and Lambda sets no such variable).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
  };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  return env;
}

/** The Node.js that runs the measured processes: BENCH_NODE if set (e.g. a Node 22 like Lambda's), else this one. */
function measuredNode(): { readonly path: string; readonly version: string } {
  const path = process.env.BENCH_NODE ?? process.execPath;
  const result = spawnSync(path, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `bench: BENCH_NODE=${path} is not a working node binary (${result.error?.message ?? result.stderr})`,
    );
  }
  return { path, version: result.stdout.trim() };
}

/**
 * Size of every built task Lambda bundle, and its cold-init overhead: a fresh Node process that
 * imports the bundle, minus a bare Node process, against the blog sample's way of loading the same
 * clients (the whole AWS SDK v2: require('aws-sdk'), then one client object per service the bundle
 * talks to), measured interleaved in one run.
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
    const roundCount = rounds();
    const node = measuredNode();
    const env = childEnv();
    const results: BenchResult[] = [];

    for (const bundle of found) {
      const bytes = statSync(bundle.path).size;
      results.push({
        suite: SUITE,
        name: `${bundle.name} bundle size`,
        value: Number((bytes / 1000).toFixed(1)),
        unit: 'KB',
        goal: `≤ ${SIZE_GOAL_BYTES / 1000} KB`,
        meetsGoal: bytes <= SIZE_GOAL_BYTES,
        details: { bytes, kib: Number((bytes / 1024).toFixed(1)) },
      });
    }

    const time = (args: readonly string[], cwd?: string) => () =>
      timeProcess(node.path, args, { env, ...(cwd === undefined ? {} : { cwd }) });
    const commands: Record<string, () => number> = { bare: time(['-e', '']) };
    const references = new Set(found.map((bundle) => bundle.v2Clients.join('+')));
    for (const clients of references) {
      const create = clients
        .split('+')
        .filter((client) => client !== '')
        .map((client) => `new AWS.${client}();`)
        .join(' ');
      commands[`aws-sdk-v2:${clients}`] = time(
        ['-e', `const AWS = require('aws-sdk'); ${create}`],
        benchRoot,
      );
    }
    // Measure snapshots: a bundle being rebuilt meanwhile must not vanish mid-run.
    const snapshots = mkdtempSync(join(tmpdir(), 'lambda-bundles-'));
    // The floors: the same clients with none of the project's code (see floor.ts).
    const floors: { clients: string; stack: FloorStack; bytes: number }[] = [];
    for (const clients of references) {
      if (clients === '') continue;
      for (const stack of FLOOR_STACKS) {
        const path = buildFloorBundle({
          workspaceRoot,
          benchRoot,
          dir: join(snapshots, 'floors'),
          clients: clients.split('+'),
          stack,
        });
        floors.push({ clients, stack, bytes: statSync(path).size });
        commands[`floor:${clients}:${stack}`] = time([
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(pathToFileURL(path).href)});`,
        ]);
      }
    }
    for (const bundle of found) {
      const copy = join(snapshots, `${bundle.name}.mjs`);
      copyFileSync(bundle.path, copy);
      const url = pathToFileURL(copy).href;
      commands[bundle.name] = time(['--input-type=module', '-e', `await import(${JSON.stringify(url)});`]);
    }
    let medians: Record<string, number>;
    try {
      // One unmeasured pass first, so that no command pays for a cold file cache alone.
      for (const run of Object.values(commands)) run();
      medians = interleaved(commands, roundCount);
    } finally {
      rmSync(snapshots, { recursive: true, force: true });
    }
    const bare = medians.bare ?? 0;
    for (const clients of references) {
      results.push({
        suite: SUITE,
        name: `aws-sdk v2 (blog sample) cold-init overhead, ${clients || 'no client'}`,
        value: Number(((medians[`aws-sdk-v2:${clients}`] ?? 0) - bare).toFixed(1)),
        unit: 'ms',
        details: { bareNodeMs: Number(bare.toFixed(1)), rounds: roundCount, node: node.version },
      });
    }
    for (const floor of floors) {
      const reference = (medians[`aws-sdk-v2:${floor.clients}`] ?? 0) - bare;
      const overhead = (medians[`floor:${floor.clients}:${floor.stack}`] ?? 0) - bare;
      results.push({
        suite: SUITE,
        name: `floor (${FLOOR_LABELS[floor.stack]}) cold-init overhead, ${floor.clients}`,
        value: Number(overhead.toFixed(1)),
        unit: 'ms',
        details: {
          ratioToSdkV2: Number((reference > 0 ? overhead / reference : Number.NaN).toFixed(3)),
          bytes: floor.bytes,
          node: node.version,
        },
      });
    }
    let worst = 0;
    for (const bundle of found) {
      const reference = (medians[`aws-sdk-v2:${bundle.v2Clients.join('+')}`] ?? 0) - bare;
      const overhead = (medians[bundle.name] ?? 0) - bare;
      const ratio = reference > 0 ? overhead / reference : Number.NaN;
      worst = Math.max(worst, ratio);
      results.push({
        suite: SUITE,
        name: `${bundle.name} cold-init overhead`,
        value: Number(overhead.toFixed(1)),
        unit: 'ms',
        goal: `≤ ${RATIO_GOAL} × aws-sdk v2 with the same clients`,
        meetsGoal: ratio <= RATIO_GOAL,
        details: {
          ratioToSdkV2: Number(ratio.toFixed(3)),
          sdkV2Clients: bundle.v2Clients.join('+'),
          node: node.version,
        },
      });
    }
    results.push({
      suite: SUITE,
      name: 'worst cold-init ratio to aws-sdk v2',
      value: Number(worst.toFixed(3)),
      unit: '×',
      goal: `≤ ${RATIO_GOAL}`,
      meetsGoal: worst <= RATIO_GOAL,
      details: { node: node.version, rounds: roundCount },
    });
    return results;
  },
};
