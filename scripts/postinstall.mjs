// Builds the packages whose command-line tools the root scripts run, so that
// `pnpm --silent changeset-policy …` works right after `pnpm install` on a fresh clone.
// tsc's incremental build makes this a no-op when nothing changed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const projects = ['packages/changeset-policy/tsconfig.lib.json'];

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  console.warn('postinstall: typescript is not installed (production install?): skipping the tool build.');
  process.exit(0);
}

const present = projects.filter((p) => existsSync(p));
if (present.length > 0) {
  const result = spawnSync(process.execPath, [tsc, '--build', ...present], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`postinstall: building ${present.join(', ')} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}
