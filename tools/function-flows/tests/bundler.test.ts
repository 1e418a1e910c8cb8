import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What scripts/bundle-function.mjs promises about a bundle, checked on a small entry of its own
 * and on every built task bundle: node builtins reached without ES-module facades, no require
 * shim, and each task building only its own payload schemas.
 */

const require = createRequire(import.meta.url);
const workspace = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bundler = join(workspace, 'scripts', 'bundle-function.mjs');

const TASKS = [
  'check-stack-existence',
  'create-change-set',
  'create-stack',
  'delete-change-set',
  'delete-stack',
  'execute-change-set',
  'get-change-set-status',
  'get-stack-status',
  'inspect-change-set',
  'load-template',
] as const;

/** Node's internal modules that a bundle must not load when it starts (see the bundler's comments). */
const NOT_LOADED = [
  'NativeModule internal/process/report',
  'NativeModule worker_threads',
  'NativeModule internal/deps/undici/undici',
  'NativeModule internal/fs/streams',
];

function bundlePath(task: string): string {
  return join(
    dirname(require.resolve(`@cfn-safe-deploy/function-${task}/package.json`)),
    'dist',
    'index.mjs',
  );
}

/** Imports a module in a fresh Node process and returns `process.moduleLoadList` afterwards. */
function modulesLoadedBy(file: string): string[] {
  const script = `await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(JSON.stringify(process.moduleLoadList));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    encoding: 'utf8',
  });
  return JSON.parse(output) as string[];
}

describe('bundle-function on an entry of its own', () => {
  const root = mkdtempSync(join(tmpdir(), 'bundler-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('gives the code the builtins it imports, named, default and lazily created classes alike', async () => {
    // Prepare
    mkdirSync(join(root, 'src'));
    const file = join(root, 'probe.txt');
    writeFileSync(file, 'probe');
    writeFileSync(
      join(root, 'src', 'handler.ts'),
      [
        "import { createReadStream, ReadStream } from 'node:fs';",
        "import { readFile } from 'node:fs/promises';",
        "import * as os from 'node:os';",
        "import process, { env } from 'node:process';",
        'export const handler = async (path: string) => {',
        '  const opened = createReadStream(path);',
        '  const made = new ReadStream(path);',
        '  const result = {',
        '    opened: opened instanceof ReadStream,',
        '    made: made instanceof ReadStream,',
        '    notAStream: ({}) instanceof ReadStream,',
        '    name: ReadStream.name,',
        '    prototype: Object.getPrototypeOf(made) === ReadStream.prototype,',
        "    text: await readFile(path, 'utf8'),",
        '    platform: os.platform(),',
        '    env: env === process.env,',
        '  };',
        '  opened.destroy();',
        '  made.destroy();',
        '  return result;',
        '};',
      ].join('\n'),
    );

    // Act
    execFileSync(process.execPath, [bundler, root], { encoding: 'utf8' });
    const bundle = join(root, 'dist', 'index.mjs');
    const { handler } = (await import(pathToFileURL(bundle).href)) as {
      handler: (path: string) => Promise<Record<string, unknown>>;
    };
    const result = await handler(file);

    // Assess
    expect(result).toEqual({
      opened: true,
      made: true,
      notAStream: false,
      name: 'ReadStream',
      prototype: true,
      text: 'probe',
      platform: process.platform,
      env: true,
    });
    const text = readFileSync(bundle, 'utf8');
    expect(text).not.toMatch(/from\s*["']node:/);
    expect(text).not.toContain('Dynamic require of');
  });

  it('refuses to run where process.getBuiltinModule is missing, saying what it needs', async () => {
    // Prepare
    const bundle = pathToFileURL(join(root, 'dist', 'index.mjs')).href;
    const script = `delete process.getBuiltinModule; await import(${JSON.stringify(bundle)});`;

    // Act
    const run = () =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        stdio: 'pipe',
      });

    // Assess
    expect(run).toThrow(/needs Node\.js 20\.16 or newer \(process\.getBuiltinModule\) to load node:[a-z]+/);
  });
});

describe('bundle-function --outdir and --build-env (a second build of the same source)', () => {
  const root = mkdtempSync(join(tmpdir(), 'bundler-options-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const bundle = (args: readonly string[]) =>
    execFileSync(process.execPath, [bundler, root, ...args], { encoding: 'utf8', stdio: 'pipe' });

  it('writes to the folder named, with process.env.NAME replaced by the string given', async () => {
    // Prepare
    mkdirSync(join(root, 'src'), { recursive: true });
    writeFileSync(
      join(root, 'src', 'handler.ts'),
      "export const handler = async () => ({ revision: process.env.SAMPLE_REVISION ?? 'none', other: process.env.OTHER ?? 'none' });\n",
    );

    // Act
    bundle(['--outdir=dist-next', '--build-env=SAMPLE_REVISION=2 "quoted"']);
    const file = join(root, 'dist-next', 'index.mjs');
    const { handler } = (await import(pathToFileURL(file).href)) as {
      handler: () => Promise<Record<string, string>>;
    };

    // Assess
    expect(await handler()).toEqual({ revision: '2 "quoted"', other: 'none' });
    expect(readFileSync(file, 'utf8')).not.toContain('SAMPLE_REVISION');
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it.each([
    [['--outdir=../elsewhere'], '--outdir is "../elsewhere"; expected a folder name of the package'],
    [['--outdir=a', '--outdir=b'], '--outdir is given 2 times; expected at most once'],
    [['--build-env=1X=y'], '"--build-env=1X=y" is not --build-env=NAME=VALUE'],
    [['--build-env=NOVALUE'], '"--build-env=NOVALUE" is not --build-env=NAME=VALUE'],
  ])('refuses %j, naming the value and what was expected', (args, message) => {
    expect(() => bundle(args)).toThrow(message);
  });
});

describe('sdk-schema-literal-keys, the one transformation of AWS SDK code', () => {
  const root = mkdtempSync(join(tmpdir(), 'bundler-sdk-layout-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A package shaped like an AWS SDK client (`@aws-sdk/client-probe`) with the given files under dist-es. */
  function bundleFakeClient(files: Record<string, string>): () => string {
    const project = mkdtempSync(join(root, 'project-'));
    const client = join(project, 'node_modules', '@aws-sdk', 'client-probe');
    mkdirSync(join(client, 'dist-es', 'schemas'), { recursive: true });
    writeFileSync(
      join(client, 'package.json'),
      JSON.stringify({ name: '@aws-sdk/client-probe', version: '1.0.0', module: './dist-es/index.js' }),
    );
    for (const [name, text] of Object.entries(files)) writeFileSync(join(client, 'dist-es', name), text);
    mkdirSync(join(project, 'src'));
    writeFileSync(
      join(project, 'src', 'handler.ts'),
      "import { shape } from '@aws-sdk/client-probe';\nexport const handler = async () => shape;\n",
    );
    return () => execFileSync(process.execPath, [bundler, project], { encoding: 'utf8', stdio: 'pipe' });
  }

  it('lets esbuild drop the S3 shapes that no bundled command uses (load-template)', () => {
    const text = readFileSync(bundlePath('load-template'), 'utf8');

    // GetObject's output shape is used; the analytics configuration of a bucket is not.
    expect(text).toContain('"GetObjectOutput"');
    expect(text).not.toContain('"AnalyticsConfiguration"');
  });

  it('fails the build when a computed key of a schema file names no constant of that file', () => {
    const build = bundleFakeClient({
      'index.js': "export { shape } from './schemas/schemas_0.js';\n",
      'schemas/schemas_0.js':
        'const _hH = "httpHeader";\nexport const shape = [3, { [_hH]: 1 }, { [_gone]: 2 }];\n',
    });

    expect(build).toThrow(/has a computed key \[_gone\] that is no constant of its own.*schema layout/s);
  });

  it('fails the build when a bundled client has no schema files where the plugin looks for them', () => {
    const build = bundleFakeClient({ 'index.js': 'export const shape = [3, "Shape"];\n' });

    expect(build).toThrow(/no dist-es\/schemas\/\*\.js file was bundled for @aws-sdk\/client-probe/);
  });
});

describe.each(TASKS)('the %s bundle', (task) => {
  it('exports a handler and imports no builtin through an ES-module facade', async () => {
    const bundle = bundlePath(task);
    const text = readFileSync(bundle, 'utf8');

    const module = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };

    expect(typeof module.handler).toBe('function');
    expect(text).not.toMatch(/from\s*["']node:/);
    expect(text).not.toContain('Dynamic require of');
  });

  it('loads none of the node modules it has no use for when it starts', () => {
    const loaded = modulesLoadedBy(bundlePath(task));

    expect(loaded.filter((name) => NOT_LOADED.includes(name))).toEqual([]);
  });

  it('has a source map with relative paths, holding the text only of modules that are not on disk', () => {
    const dist = dirname(bundlePath(task));
    const map = JSON.parse(readFileSync(join(dist, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
      sourcesContent?: (string | null)[];
    };

    const onDisk = map.sources.filter((source) => existsSync(resolve(dist, source)));
    const standIns = map.sources.filter((source) => !existsSync(resolve(dist, source)));

    expect(onDisk.length).toBeGreaterThan(100);
    expect(map.sources.filter((source) => isAbsolute(source) || source.includes(workspace))).toEqual([]);
    expect(standIns.every((source) => /^[a-z][\w-]*:/.test(source))).toBe(true);
    map.sources.forEach((source, index) => {
      expect(map.sourcesContent?.[index] ?? null, source).toEqual(
        standIns.includes(source) ? expect.any(String) : null,
      );
    });
  });

  it("builds only its own task's payload schemas", () => {
    const meta = JSON.parse(readFileSync(join(dirname(bundlePath(task)), 'meta.json'), 'utf8')) as {
      outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown> }>;
    };
    const output = Object.values(meta.outputs).find((entry) => entry.entryPoint !== undefined);
    const inputs = Object.keys(output?.inputs ?? {});

    const taskModules = inputs
      .filter((input) => /state-payloads[\\/]dist[\\/]tasks[\\/]/.test(input))
      .map((input) => input.replace(/.*[\\/]/, ''));

    expect(taskModules).toEqual([`${task}.js`]);
    expect(inputs.some((input) => /state-payloads[\\/]dist[\\/]state\.js$/.test(input))).toBe(false);
  });
});
