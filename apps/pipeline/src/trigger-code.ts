import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Code } from 'aws-cdk-lib/aws-lambda';

export const TRIGGER_PACKAGE = '@cfn-safe-deploy/function-trigger';

export class TriggerBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TriggerBundleError';
  }
}

/** The `dist/` folder of the Trigger function's package (its esbuild bundle). */
export function triggerDistFolder(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`${TRIGGER_PACKAGE}/package.json`)), 'dist');
}

/** The Trigger bundle as Lambda code (the source map ships with it; the esbuild metafile does not). */
export function bundledTriggerCode(): Code {
  const dist = triggerDistFolder();
  if (!existsSync(join(dist, 'index.mjs'))) {
    throw new TriggerBundleError(
      `The Trigger bundle ${join(dist, 'index.mjs')} does not exist: build it first with "pnpm nx run trigger:build" (the pipeline's Nx targets do so by themselves)`,
    );
  }
  return Code.fromAsset(dist, { exclude: ['meta.json'] });
}
