// `pnpm start`: the demo on the embedded emulator (no AWS account). Builds what it needs quietly,
// starts its own emulator, runs the five scenarios of the sample app, prints a summary table and
// stops the emulator. Exit 0 only when every scenario ended as expected.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildIfStale, root } from '../tools/local-cloud/bin/build-if-stale.mjs';

const INSTALL_HINT = "pnpm start needs Python 3 with moto for its emulator: pip install 'moto[server]'";

/** The first python3 that can import moto (what the emulator runs), or undefined. */
function motoPython() {
  const candidates = process.env.PYTHON
    ? [process.env.PYTHON]
    : [
        ...new Set(
          (process.env.PATH ?? '')
            .split(delimiter)
            .filter(Boolean)
            .map((dir) => join(dir, 'python3')),
        ),
      ];
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      return false;
    }
    return (
      spawnSync(candidate, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 30_000 }).status === 0
    );
  });
}

const started = Date.now();
const python = motoPython();
if (python === undefined) {
  console.error(INSTALL_HINT);
  process.exit(1);
}
// Checked: the emulator need not probe again.
process.env.SAFE_DEPLOY_PYTHON = python;
process.stdout.write('Building what the demo runs (only what changed)… ');
const failure = buildIfStale();
if (failure !== undefined) {
  console.log('failed.');
  console.error(failure.split('\n').slice(-40).join('\n'));
  process.exit(1);
}
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);

const { runDemo, EnvironmentError } = await import(
  pathToFileURL(join(root, 'tools', 'local-cloud', 'dist', 'index.js')).href
);
const stateDir = join(root, '.safe-deploy', 'demo');
// The demo sends the functions' console output to its log file: write to the terminal directly.
try {
  const result = await runDemo({ stateDir, cacheDir: join(root, '.safe-deploy', 'cache') });
  process.stdout.write(`pnpm start: ${((Date.now() - started) / 1000).toFixed(1)} s in all.\n`, () =>
    process.exit(result.ok ? 0 : 1),
  );
} catch (error) {
  process.stderr.write(
    `${error instanceof EnvironmentError ? error.message : (error?.stack ?? String(error))}\n`,
    () => process.exit(1),
  );
}
