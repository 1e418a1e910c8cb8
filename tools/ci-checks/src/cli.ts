import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CI_DOC_PATH, REGENERATE_COMMAND, renderCiDoc } from './doc.js';
import { dependencyOrder } from './graph.js';
import { formatWithBiome, readNxGraph, runNx } from './nx.js';
import { WORKSPACE_ROOT } from './paths.js';

const USAGE = `usage: node tools/ci-checks/dist/cli.js <command>
  doc [--check]        write docs/CI.md from the Nx project graph (--check: exit 1 when it is stale)
  deploy-plan [APP]    print a JSON array of the apps to deploy, dependencies first: APP alone, or the
                       apps with a deploy target that NX_BASE..NX_HEAD affects`;

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function doc(args: readonly string[]): number {
  const check = args.includes('--check');
  const { graph, facts } = readNxGraph(WORKSPACE_ROOT);
  const expected = formatWithBiome(WORKSPACE_ROOT, CI_DOC_PATH, renderCiDoc(graph, facts));
  const path = join(WORKSPACE_ROOT, CI_DOC_PATH);
  if (!check) {
    writeFileSync(path, expected);
    process.stdout.write(`wrote ${CI_DOC_PATH}\n`);
    return 0;
  }
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // a missing file is stale
  }
  if (current === expected) return 0;
  process.stderr.write(`${CI_DOC_PATH} does not match the Nx project graph; run ${REGENERATE_COMMAND}\n`);
  return 1;
}

function deployPlan(args: readonly string[]): number {
  const { graph } = readNxGraph(WORKSPACE_ROOT);
  const deployable = Object.keys(graph.projects).filter((name) =>
    graph.projects[name]?.targets.includes('deploy'),
  );
  const [app, ...rest] = args;
  if (rest.length > 0) throw new UsageError(`deploy-plan takes at most one app; got ${args.join(' ')}`);
  let apps: string[];
  if (app !== undefined && app !== '') {
    if (!deployable.includes(app)) {
      throw new UsageError(`app is "${app}"; expected one of ${deployable.sort().join(', ')}`);
    }
    apps = [app];
  } else {
    const range = [
      ...(process.env.NX_BASE ? [`--base=${process.env.NX_BASE}`] : []),
      ...(process.env.NX_HEAD ? [`--head=${process.env.NX_HEAD}`] : []),
    ];
    const output = runNx(WORKSPACE_ROOT, [
      'show',
      'projects',
      '--affected',
      ...range,
      '--with-target',
      'deploy',
      '--json',
    ]);
    apps = JSON.parse(output) as string[];
  }
  process.stdout.write(`${JSON.stringify(dependencyOrder(graph, apps))}\n`);
  return 0;
}

function main(argv: readonly string[]): number {
  const [command, ...args] = argv;
  try {
    if (command === 'doc') return doc(args);
    if (command === 'deploy-plan') return deployPlan(args);
    throw new UsageError(`command is ${JSON.stringify(command ?? '')}; expected doc or deploy-plan`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
