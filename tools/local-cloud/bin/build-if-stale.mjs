// Builds tools/local-cloud and what it runs (the function bundles, the state machine and sample
// apps) through Nx, quietly, when a build output is missing or older than its sources. Shared by
// the `safe-deploy` launcher and `pnpm start`, so that both work right after `pnpm install`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'tests') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** Each project the emulator needs: its sources and the output its build writes. */
function projects() {
  const functions = readdirSync(join(root, 'packages', 'functions')).map((name) => [
    join('packages', 'functions', name, 'src'),
    join('packages', 'functions', name, 'dist', 'index.mjs'),
  ]);
  return [
    ...functions,
    ['packages/deploy-shared/src', 'packages/deploy-shared/dist/index.js'],
    ['packages/state-payloads/src', 'packages/state-payloads/dist/index.js'],
    ['packages/changeset-policy/src', 'packages/changeset-policy/dist/index.js'],
    ['apps/state-machine/src', 'apps/state-machine/dist/index.js'],
    ['apps/sample-app/src', 'apps/sample-app/dist/index.js'],
    ['tools/local-cloud/src', 'tools/local-cloud/dist/cli.js'],
  ];
}

export function isStale() {
  return projects().some(([src, out]) => {
    const output = join(root, out);
    return !existsSync(output) || newestMtime(join(root, src)) > statSync(output).mtimeMs;
  });
}

/** Returns undefined when everything is built, else the build's output (it failed). */
export function buildIfStale() {
  if (!isStale()) return undefined;
  const require = createRequire(join(root, 'package.json'));
  const nx = require.resolve('nx/bin/nx.js');
  const result = spawnSync(process.execPath, [nx, 'run', 'local-cloud:build', '--outputStyle=static'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NX_TUI: 'false', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status === 0) return undefined;
  return `${result.stdout ?? ''}\n${result.stderr ?? ''}\n${result.error ? result.error.message : ''}`.trim();
}
