import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FUNCTION_ASSET_EXCLUDE } from '@cfn-safe-deploy/state-machine';
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

/** The Trigger bundle as Lambda code, shipped like the task functions (`FUNCTION_ASSET_EXCLUDE`). */
export function bundledTriggerCode(): Code {
  const dist = triggerDistFolder();
  if (!existsSync(join(dist, 'index.mjs'))) {
    throw new TriggerBundleError(
      `The Trigger bundle ${join(dist, 'index.mjs')} does not exist: build it first with "pnpm nx run trigger:build" (the pipeline's Nx targets do so by themselves)`,
    );
  }
  return Code.fromAsset(dist, { exclude: [...FUNCTION_ASSET_EXCLUDE] });
}
