import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CI_DOC_PATH, REGENERATE_COMMAND, renderCiDoc } from '../src/doc.js';
import { dependencyOrder, reachedBy, type WorkspaceGraph } from '../src/graph.js';
import { formatWithBiome, readNxGraph } from '../src/nx.js';
import { WORKSPACE_ROOT } from '../src/paths.js';

// policy ← payloads ← fn ← machine ← pipeline; sample ← pipeline
const SMALL: WorkspaceGraph = {
  projects: {
    policy: { root: 'packages/policy', targets: ['build'] },
    payloads: { root: 'packages/payloads', targets: ['build'] },
    fn: { root: 'packages/functions/fn', targets: ['build'] },
    machine: { root: 'apps/machine', targets: ['deploy'] },
    sample: { root: 'apps/sample', targets: ['synth'] },
    pipeline: { root: 'apps/pipeline', targets: ['deploy'] },
  },
  dependencies: {
    policy: [],
    payloads: ['policy'],
    fn: ['payloads'],
    machine: ['fn'],
    sample: [],
    pipeline: ['machine', 'sample'],
  },
};

describe('the graph functions', () => {
  it('a change reaches the project and its dependents, transitively', () => {
    // GIVEN / WHEN / THEN
    expect([...reachedBy(SMALL, 'payloads')].sort()).toEqual(['fn', 'machine', 'payloads', 'pipeline']);
    expect([...reachedBy(SMALL, 'sample')].sort()).toEqual(['pipeline', 'sample']);
    expect([...reachedBy(SMALL, 'pipeline')]).toEqual(['pipeline']);
  });

  it('rejects an unknown project, naming it', () => {
    // GIVEN / WHEN / THEN
    expect(() => reachedBy(SMALL, 'nope')).toThrow('project is "nope"; expected one of');
  });

  it('orders apps dependencies first', () => {
    // GIVEN / WHEN / THEN
    expect(dependencyOrder(SMALL, ['pipeline', 'machine'])).toEqual(['machine', 'pipeline']);
    expect(dependencyOrder(SMALL, ['pipeline'])).toEqual(['pipeline']);
  });

  it('renders one table row per project with what it reaches and what is deployed', () => {
    // GIVEN / WHEN
    const doc = renderCiDoc(SMALL, { cached: { fn: { build: true }, machine: { deploy: false } } });

    // THEN
    expect(doc).toContain(
      '| `payloads` | `packages/payloads` | `fn`, `machine`, `pipeline` | `machine`, `pipeline` |',
    );
    expect(doc).toContain('| `sample` | `apps/sample` | `pipeline` | `pipeline` |');
    expect(doc).toContain('`pnpm nx run machine:deploy`');
    expect(doc).toContain('| `deploy` | none | every project that has it |');
  });
});

describe(CI_DOC_PATH, () => {
  it('matches the Nx project graph of the workspace', () => {
    // GIVEN
    const { graph, facts } = readNxGraph(WORKSPACE_ROOT);

    // WHEN
    const expected = formatWithBiome(WORKSPACE_ROOT, CI_DOC_PATH, renderCiDoc(graph, facts));

    // THEN
    const current = readFileSync(join(WORKSPACE_ROOT, CI_DOC_PATH), 'utf8');
    expect(current, `${CI_DOC_PATH} is stale: run ${REGENERATE_COMMAND}`).toBe(expected);
  });
});
