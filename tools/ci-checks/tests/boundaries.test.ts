import { beforeAll, describe, expect, it } from 'vitest';
import { dependenciesWithin, type WorkspaceGraph } from '../src/graph.js';
import { type NxGraphFile, nxGraphFile, readNxGraph } from '../src/nx.js';
import { WORKSPACE_ROOT } from '../src/paths.js';

/**
 * The function packages (packages/functions/*) carry the Nx tag `type:function`: nx.json gives
 * every project with it the bundle build (inputs, outputs, cache), and no project with it may
 * depend on another one.
 */
const FUNCTION_TAG = 'type:function';

let file: NxGraphFile;
let graph: WorkspaceGraph;

beforeAll(() => {
  file = nxGraphFile(WORKSPACE_ROOT);
  graph = readNxGraph(WORKSPACE_ROOT, file).graph;
});

const tagged = (): Set<string> =>
  new Set(
    Object.entries(file.graph.nodes)
      .filter(([, node]) => node.data.tags?.includes(FUNCTION_TAG))
      .map(([name]) => name),
  );

describe('function packages', () => {
  it(`are exactly the projects tagged ${FUNCTION_TAG}`, () => {
    const underFunctions = Object.keys(graph.projects).filter((name) =>
      graph.projects[name]?.root.startsWith('packages/functions/'),
    );

    expect(underFunctions.length).toBeGreaterThan(0);
    expect([...tagged()].sort()).toEqual(underFunctions.sort());
  });

  it('depend on no other function package (the real Nx graph)', () => {
    expect(dependenciesWithin(graph, tagged())).toEqual([]);
  });

  it('build their bundle with the build defaults of nx.json: the bundler is an input, dist/ the output, cached', () => {
    for (const name of tagged()) {
      const build = file.graph.nodes[name]?.data.targets?.build;
      expect(build?.inputs, name).toContain('{workspaceRoot}/scripts/bundle-function.mjs');
      expect(build?.outputs, name).toEqual(['{projectRoot}/dist']);
      expect(build?.cache, name).toBe(true);
    }
  });
});

describe('dependenciesWithin', () => {
  it('GIVEN a function package that depends on another WHEN checked THEN it names the dependency', () => {
    const withViolation: WorkspaceGraph = {
      projects: {
        'create-stack': { root: 'packages/functions/create-stack', targets: [] },
        'delete-stack': { root: 'packages/functions/delete-stack', targets: [] },
        'deploy-shared': { root: 'packages/deploy-shared', targets: [] },
      },
      dependencies: {
        'create-stack': ['delete-stack', 'deploy-shared'],
        'delete-stack': ['deploy-shared'],
        'deploy-shared': [],
      },
    };

    expect(dependenciesWithin(withViolation, new Set(['create-stack', 'delete-stack']))).toEqual([
      'create-stack → delete-stack',
    ]);
  });
});
