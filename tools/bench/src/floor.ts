import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Floor bundles: what the cold start of a function would be with none of the project's code. Each
 * is a handler made here, bundled by the same `scripts/bundle-function.mjs` as the functions, that
 * holds only the AWS SDK v3 clients of a function ('sdk'), or those clients plus the other two
 * libraries every function must use, the Powertools Logger and a small zod/mini schema
 * ('mandated'). Measured beside the functions, they show how much of a function's cold start is
 * its own and how much the stack it is built on costs before any of its code runs.
 */

/**
 * The AWS SDK clients a bundle may hold: for each SDK v2 client class (the blog-style reference),
 * its v3 package, client and one command it sends (for the floors).
 */
export const SDK_CLIENTS: Readonly<Record<string, { pkg: string; client: string; command: string }>> = {
  CloudFormation: {
    pkg: '@aws-sdk/client-cloudformation',
    client: 'CloudFormationClient',
    command: 'DescribeStacksCommand',
  },
  S3: { pkg: '@aws-sdk/client-s3', client: 'S3Client', command: 'GetObjectCommand' },
  StepFunctions: { pkg: '@aws-sdk/client-sfn', client: 'SFNClient', command: 'DescribeExecutionCommand' },
  CodePipeline: {
    pkg: '@aws-sdk/client-codepipeline',
    client: 'CodePipelineClient',
    command: 'PutJobSuccessResultCommand',
  },
};

export type FloorStack = 'sdk' | 'mandated';
export const FLOOR_STACKS: readonly FloorStack[] = ['sdk', 'mandated'];

export const FLOOR_LABELS: Readonly<Record<FloorStack, string>> = {
  sdk: 'AWS SDK v3 clients only',
  mandated: 'clients + Powertools Logger + a zod/mini schema',
};

/**
 * The source of a floor handler for `clients` (SDK v2 class names, e.g. ["CloudFormation", "S3"]):
 * the clients are created when the module loads, as the functions do, and the handler sends one
 * command each so that nothing is tree-shaken away.
 */
export function floorHandlerSource(clients: readonly string[], stack: FloorStack): string {
  if (clients.length === 0) throw new Error('floor: a floor bundle needs at least one client');
  const sdk = clients.map((name) => {
    const entry = SDK_CLIENTS[name];
    if (entry === undefined) {
      throw new Error(
        `floor: no AWS SDK v3 client is known for "${name}"; expected one of ${Object.keys(SDK_CLIENTS).join(', ')}`,
      );
    }
    return entry;
  });
  const lines = sdk.map(({ pkg, client, command }) => `import { ${client}, ${command} } from '${pkg}';`);
  const calls = sdk.map(({ command }, index) => `c${index}.send(new ${command}({} as never))`);
  if (stack === 'mandated') {
    lines.push("import { Logger } from '@aws-lambda-powertools/logger';");
    lines.push("import * as z from 'zod/mini';");
    lines.push("const logger = new Logger({ serviceName: 'floor' });");
    lines.push(
      'const Input = z.object({ stackName: z.string().check(z.minLength(1)), attempt: z.number() });',
    );
  }
  sdk.forEach(({ client }, index) => {
    lines.push(`const c${index} = new ${client}({});`);
  });
  const body =
    stack === 'mandated'
      ? `  const input = Input.parse(event);\n  logger.info('floor', { stackName: input.stackName });\n  return Promise.all([${calls.join(', ')}]);`
      : `  return Promise.all([${calls.join(', ')}]);`;
  lines.push(`export const handler = async (event: unknown) => {\n${body}\n};`);
  return `${lines.join('\n')}\n`;
}

/** A file-name-safe name for a floor bundle, e.g. "CloudFormation+S3" + "sdk" → "cloudformation-s3-sdk". */
export function floorSlug(clients: readonly string[], stack: FloorStack): string {
  return `${clients.map((name) => name.toLowerCase()).join('-')}-${stack}`;
}

/**
 * Writes the floor handler for `clients` under `dir` and bundles it with the functions' bundler.
 * `dir` gets a `node_modules` link to this package's, where the clients, the Logger and zod are
 * the versions the functions use (this package's devDependencies pin the same ones).
 * @returns the path of the bundle (`<dir>/<slug>/dist/index.mjs`)
 */
export function buildFloorBundle(options: {
  readonly workspaceRoot: string;
  readonly benchRoot: string;
  readonly dir: string;
  readonly clients: readonly string[];
  readonly stack: FloorStack;
}): string {
  const { workspaceRoot, benchRoot, dir, clients, stack } = options;
  const modules = join(dir, 'node_modules');
  mkdirSync(dir, { recursive: true });
  try {
    symlinkSync(join(benchRoot, 'node_modules'), modules, 'dir');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const root = join(dir, floorSlug(clients, stack));
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'handler.ts'), floorHandlerSource(clients, stack));
  const bundler = join(workspaceRoot, 'scripts', 'bundle-function.mjs');
  const result = spawnSync(process.execPath, [bundler, root], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `floor: bundling ${root} failed (exit ${result.status}): ${(result.stderr || result.stdout).slice(0, 2000)}`,
    );
  }
  return join(root, 'dist', 'index.mjs');
}
