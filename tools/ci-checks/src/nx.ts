import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetFacts } from './doc.js';
import type { WorkspaceGraph } from './graph.js';

/**
 * The environment for an Nx process started from inside another one (an Nx task, a test): no
 * variable of the parent Nx run leaks in, no daemon, no Nx Cloud. Inference plugins run in the Nx
 * process itself instead of a worker process each: the project graph is the same, and a short
 * command such as `nx show projects --affected` takes about half the time (3.0 s → 1.7 s here).
 */
export function nxEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('NX_') && !key.startsWith('GIT_') && key !== 'VITEST_WORKER_ID') env[key] = value;
  }
  return {
    ...env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_ISOLATE_PLUGINS: 'false',
    ...extra,
  };
}

/** The script of the `bin` named `name` of the workspace's package `packageName`. */
function binOf(workspaceRoot: string, packageName: string, name: string): string {
  const packageDir = join(workspaceRoot, 'node_modules', packageName);
  const { bin } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  const script = bin[name];
  if (script === undefined) throw new Error(`${packageDir}/package.json has no bin "${name}"; expected one`);
  return join(packageDir, script);
}

/**
 * `text` as the workspace's Biome formats the file at `path` (Biome formats Markdown too, so a
 * generated file must be what `biome ci` expects).
 */
export function formatWithBiome(workspaceRoot: string, path: string, text: string): string {
  return execFileSync(
    process.execPath,
    [binOf(workspaceRoot, '@biomejs/biome', 'biome'), 'format', `--stdin-file-path=${path}`],
    {
      cwd: workspaceRoot,
      input: text,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

/** The workspace's own Nx CLI script (the `bin` of node_modules/nx). */
function nxBin(workspaceRoot: string): string {
  return binOf(workspaceRoot, 'nx', 'nx');
}

/** Runs the workspace's own Nx CLI in `workspaceRoot` and returns its standard output. */
export function runNx(
  workspaceRoot: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): string {
  const nx = nxBin(workspaceRoot);
  try {
    return execFileSync(process.execPath, [nx, ...args], {
      cwd: workspaceRoot,
      env: nxEnvironment(extraEnv),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    throw new Error(`nx ${args.join(' ')} failed in ${workspaceRoot}: ${String(stderr ?? '').trim()}`, {
      cause: error,
    });
  }
}

/** One target of a project as `nx graph --file` writes it (the fields these checks read). */
export interface NxTargetConfig {
  readonly cache?: boolean;
  readonly outputs?: readonly string[];
  readonly inputs?: readonly (string | Record<string, unknown>)[];
}

/** What `nx graph --file` writes: every project with its targets, and the dependencies between them. */
export interface NxGraphFile {
  readonly graph: {
    readonly nodes: Record<
      string,
      { data: { root: string; tags?: readonly string[]; targets?: Record<string, NxTargetConfig> } }
    >;
    readonly dependencies: Record<string, { target: string }[]>;
  };
}

/** The workspace's project graph as Nx computes it, read with `nx graph --file`. */
export function nxGraphFile(workspaceRoot: string): NxGraphFile {
  const dir = mkdtempSync(join(tmpdir(), 'ci-checks-graph-'));
  try {
    const file = join(dir, 'graph.json');
    runNx(workspaceRoot, ['graph', `--file=${file}`]);
    return JSON.parse(readFileSync(file, 'utf8')) as NxGraphFile;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The real project graph of the workspace (npm packages left out), and whether Nx caches each
 * target; from `file` when the caller has already read it.
 */
export function readNxGraph(
  workspaceRoot: string,
  file: NxGraphFile = nxGraphFile(workspaceRoot),
): { graph: WorkspaceGraph; facts: TargetFacts } {
  const { graph } = file;
  const names = new Set(Object.keys(graph.nodes));
  const projects: Record<string, { root: string; targets: string[] }> = {};
  const dependencies: Record<string, string[]> = {};
  const cached: Record<string, Record<string, boolean>> = {};
  for (const [name, node] of Object.entries(graph.nodes)) {
    const targets = node.data.targets ?? {};
    projects[name] = { root: node.data.root, targets: Object.keys(targets).sort() };
    cached[name] = Object.fromEntries(
      Object.entries(targets).map(([target, config]) => [target, config.cache === true]),
    );
    dependencies[name] = [
      ...new Set((graph.dependencies[name] ?? []).map((d) => d.target).filter((t) => names.has(t))),
    ].sort();
  }
  return { graph: { projects, dependencies }, facts: { cached } };
}
