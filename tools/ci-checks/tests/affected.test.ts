import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachedBy } from '../src/graph.js';
import { nxEnvironment, runNx } from '../src/nx.js';
import { WORKSPACE_ROOT } from '../src/paths.js';
import { manifestGraph } from './support/workspace.js';

/**
 * In a temporary git copy of the repository, a change to one file of a project makes
 * `nx show projects --affected` return exactly the projects that depend on it (derived from the
 * package.json files, not from Nx).
 */

const git = (cwd: string, args: readonly string[]): string =>
  execFileSync('git', [...args], {
    cwd,
    encoding: 'utf8',
    env: nxEnvironment(),
    maxBuffer: 64 * 1024 * 1024,
  });

/** The files of the working tree that git would commit: tracked or new, ignored ones left out. */
function workingTreeFiles(root: string): string[] {
  return git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter((file) => file !== '');
}

const graph = manifestGraph(WORKSPACE_ROOT);
const projectNames = Object.keys(graph.projects).sort();
let copy = '';
let files: string[] = [];
const affectedCache = new Map<string, string[]>();

/** The file a test changes in `project`: a source file when there is one. */
function fileOf(project: string): string {
  const root = `${graph.projects[project]?.root}/`;
  const mine = files.filter((file) => file.startsWith(root));
  const preferred =
    mine.find((file) => /^src\/[^/]+\.ts$/.test(file.slice(root.length))) ??
    mine.find((file) => !file.endsWith('package.json'));
  if (preferred === undefined)
    throw new Error(`project ${project} (${root}) has no file to change; expected one`);
  return preferred;
}

/** `nx show projects --affected --base=HEAD` after appending a line to one file of `project`. */
function affectedBy(project: string): string[] {
  const cached = affectedCache.get(project);
  if (cached !== undefined) return cached;
  const file = join(copy, fileOf(project));
  const original = readFileSync(file);
  appendFileSync(file, '\n');
  try {
    const output = runNx(copy, ['show', 'projects', '--affected', '--base=HEAD', '--json']);
    const affected = (JSON.parse(output) as string[]).sort();
    affectedCache.set(project, affected);
    return affected;
  } finally {
    writeFileSync(file, original);
  }
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'ci-checks-affected-'));
  files = workingTreeFiles(WORKSPACE_ROOT).filter((file) => !file.split('/').includes('node_modules'));
  for (const file of files) {
    const source = join(WORKSPACE_ROOT, file);
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      cpSync(source, join(copy, file));
    } catch {
      // deleted in the working tree: not part of the copy
    }
  }
  symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  git(copy, ['init', '--quiet', '--initial-branch=main']);
  git(copy, ['add', '--all']);
  git(copy, [
    '-c',
    'user.name=ci-checks',
    '-c',
    'user.email=ci-checks@example.invalid',
    '-c',
    'commit.gpgsign=false',
    'commit',
    '--quiet',
    '--no-verify',
    '--message=copy',
  ]);
});

afterAll(() => {
  if (copy !== '') rmSync(copy, { recursive: true, force: true });
});

describe('nx affected in a copy of the repository', () => {
  it('sees nothing affected before any change', () => {
    // GIVEN a clean copy / WHEN
    const output = runNx(copy, ['show', 'projects', '--affected', '--base=HEAD', '--json']);

    // THEN
    expect(JSON.parse(output)).toEqual([]);
  });

  it.each(projectNames)('a change to %s reaches exactly the projects that depend on it', (project) => {
    // GIVEN the dependents that the package.json files declare
    const expected = [...reachedBy(graph, project)].sort();

    // WHEN
    const affected = affectedBy(project);

    // THEN
    expect(affected).toEqual(expected);
  });

  it('a policy change reaches inspect-change-set and the state machine app, never the sample app', () => {
    // GIVEN / WHEN
    const affected = affectedBy('changeset-policy');

    // THEN
    expect(affected).toEqual(
      expect.arrayContaining(['changeset-policy', 'inspect-change-set', 'state-machine']),
    );
    expect(affected).not.toContain('sample-app');
  });

  it("a change to the sample function's code reaches the sample app, which publishes it as a file asset", () => {
    // GIVEN / WHEN
    const affected = affectedBy('sample-function');

    // THEN
    expect(affected).toEqual(expect.arrayContaining(['sample-function', 'sample-app']));
    expect(affected).not.toContain('state-machine');
  });

  it('a sample-app change reaches no function package', () => {
    // GIVEN the function packages
    const functions = projectNames.filter((name) =>
      graph.projects[name]?.root.startsWith('packages/functions/'),
    );

    // WHEN
    const affected = affectedBy('sample-app');

    // THEN
    expect(functions.length).toBeGreaterThan(0);
    expect(affected).toContain('sample-app');
    expect(affected.filter((name) => functions.includes(name))).toEqual([]);
  });
});
