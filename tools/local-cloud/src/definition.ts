import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AslDefinition } from '@cfn-safe-deploy/state-machine';
import { EnvironmentError } from './errors.js';

const require = createRequire(import.meta.url);

/** A task function as the emulator runs it. */
export interface TaskFunction {
  readonly name: string;
  readonly bundle: string;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
}

/** What the emulator needs of apps/state-machine: the deployed ASL and the function behind each Task. */
export interface EmulatedDefinition {
  readonly definition: AslDefinition;
  /** Task state name → function name. */
  readonly taskFunctions: Readonly<Record<string, string>>;
  readonly functions: Readonly<Record<string, TaskFunction>>;
  /** The Trigger Lambda's built bundle. */
  readonly triggerBundle: string;
}

function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch (error) {
    throw new EnvironmentError(`${name} is not installed: run pnpm install`, { cause: error });
  }
}

function bundleOf(name: string): string {
  const bundle = join(packageDir(name), 'dist', 'index.mjs');
  if (!existsSync(bundle)) {
    throw new EnvironmentError(`${bundle} is missing: build the functions first (pnpm nx run-many -t build)`);
  }
  return bundle;
}

/** A digest of the built state machine app: the synthesized definition only changes with it. */
function stateMachineDigest(): string {
  const dist = join(packageDir('@cfn-safe-deploy/state-machine'), 'dist');
  if (!existsSync(dist)) {
    throw new EnvironmentError(
      `${dist} is missing: build apps/state-machine first (pnpm nx run state-machine:build)`,
    );
  }
  const hash = createHash('sha256');
  for (const file of readdirSync(dist)
    .filter((name) => name.endsWith('.js'))
    .sort()) {
    hash.update(file).update(readFileSync(join(dist, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The synthesized Deploy definition of apps/state-machine (CDK synthesis, ~1-3 s), cached in
 * `cacheDir` under a digest of the app's build so that later runs skip loading the CDK.
 */
export async function loadDefinition(cacheDir: string): Promise<EmulatedDefinition> {
  const file = join(cacheDir, `deploy-definition-${stateMachineDigest()}.json`);
  const triggerBundle = bundleOf('@cfn-safe-deploy/function-trigger');
  let cached: Omit<EmulatedDefinition, 'triggerBundle'> | undefined;
  if (existsSync(file)) {
    try {
      cached = JSON.parse(readFileSync(file, 'utf8')) as Omit<EmulatedDefinition, 'triggerBundle'>;
    } catch {
      cached = undefined;
    }
  }
  if (cached === undefined) {
    const app = await import('@cfn-safe-deploy/state-machine');
    const { definition, taskFunctions } = app.synthesizeDeployDefinition();
    const functions: Record<string, TaskFunction> = {};
    for (const name of app.FUNCTION_NAMES) {
      let dist: string;
      try {
        dist = app.functionDistFolder(name);
      } catch (error) {
        throw new EnvironmentError((error as Error).message, { cause: error });
      }
      functions[name] = {
        name,
        bundle: join(dist, 'index.mjs'),
        timeoutSeconds: app.FUNCTION_SPECS[name].timeoutSeconds,
        memoryMiB: app.FUNCTION_SPECS[name].memoryMiB,
      };
    }
    cached = { definition, taskFunctions, functions };
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(file, JSON.stringify(cached));
  }
  for (const fn of Object.values(cached.functions)) {
    if (!existsSync(fn.bundle)) {
      throw new EnvironmentError(
        `${fn.bundle} is missing: build the functions first (pnpm nx run-many -t build)`,
      );
    }
  }
  return { ...cached, triggerBundle };
}
