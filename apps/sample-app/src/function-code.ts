import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FunctionBuild } from './variants.js';

const require = createRequire(import.meta.url);

/**
 * The folder of one build of @cfn-safe-deploy/sample-function (dist/ or dist-next/, each one
 * index.mjs), which the service stack publishes as its function's file asset.
 * Throws, naming the command, when the function package has not been built.
 */
export function functionCodeDir(build: FunctionBuild): string {
  const root = dirname(require.resolve('@cfn-safe-deploy/sample-function/package.json'));
  const dir = join(root, build);
  if (!existsSync(join(dir, 'index.mjs'))) {
    throw new Error(
      `${join(dir, 'index.mjs')} does not exist; expected the bundle of @cfn-safe-deploy/sample-function (build it: pnpm nx run sample-function:build)`,
    );
  }
  return dir;
}
