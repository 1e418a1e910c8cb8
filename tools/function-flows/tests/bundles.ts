import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A task function's handler as Lambda calls it: the deploy state in, the task's result out. */
export type Handler<R> = (event: unknown) => Promise<R>;

const require = createRequire(import.meta.url);

/**
 * The handler of a function package's BUILT bundle (`dist/index.mjs`, what is deployed), found
 * through this project's devDependency on `@cfn-safe-deploy/function-<name>`. The Nx `test` target
 * builds the bundles first (dependsOn ^build). Import it only after the environment points at moto:
 * the SDK inside the bundle reads AWS_ENDPOINT_URL_* when its clients are created.
 */
export async function bundledHandler<R>(name: string): Promise<Handler<R>> {
  const root = dirname(require.resolve(`@cfn-safe-deploy/function-${name}/package.json`));
  const bundle = join(root, 'dist', 'index.mjs');
  if (!existsSync(bundle)) {
    throw new Error(
      `${bundle} is missing: build the bundles first (\`pnpm nx run function-flows:test\` does, or \`pnpm nx run ${name}:build\`)`,
    );
  }
  const module = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${bundle} exports no handler function`);
  return module.handler as Handler<R>;
}
