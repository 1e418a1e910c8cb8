#!/usr/bin/env node
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
// The root `safe-deploy` script: builds quietly when a build output is missing or stale (a fresh
// clone after `pnpm install`), then runs the CLI, so `pnpm --silent safe-deploy …` prints only the tool's output.
import { buildIfStale, root } from './build-if-stale.mjs';

const failure = buildIfStale();
if (failure !== undefined) {
  process.stderr.write(
    `${failure.split('\n').slice(-40).join('\n')}\nsafe-deploy: the build failed (pnpm nx run local-cloud:build shows why)\n`,
  );
  process.exit(2);
}
await import(pathToFileURL(join(root, 'tools', 'local-cloud', 'dist', 'cli.js')).href);
