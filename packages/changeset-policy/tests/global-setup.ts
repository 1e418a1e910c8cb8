import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds dist/ (incremental, a no-op when up to date) so the process tests run the current code. */
export default function setup(): void {
  const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--build', 'tsconfig.lib.json'], {
    cwd: packageDir,
    stdio: 'inherit',
  });
}
