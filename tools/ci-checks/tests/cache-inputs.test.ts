import { beforeAll, describe, expect, it } from 'vitest';
import { reachedBy } from '../src/graph.js';
import { nxGraphFile, readNxGraph } from '../src/nx.js';
import { WORKSPACE_ROOT } from '../src/paths.js';

/**
 * Nx replays a cached test when none of its inputs changed. The tests that run the function
 * bundles (`dist/index.mjs`, made by scripts/bundle-function.mjs) must have those bundles among
 * their inputs: the inputs @nx/vitest infers hash the `*.js` outputs of the builds a test depends
 * on, so a change of the bundler alone replayed their last result.
 */

type Input = string | Record<string, unknown>;
const BUNDLE_OUTPUTS: Input = { dependentTasksOutputFiles: '**/*.{js,mjs}', transitive: true };

let testInputs: Record<string, readonly Input[]> = {};
let bundleConsumers: string[] = [];

beforeAll(() => {
  const file = nxGraphFile(WORKSPACE_ROOT);
  testInputs = Object.fromEntries(
    Object.entries(file.graph.nodes)
      .filter(([, node]) => node.data.targets?.test !== undefined)
      .map(([name, node]) => [name, node.data.targets?.test?.inputs ?? []]),
  );
  const { graph } = readNxGraph(WORKSPACE_ROOT, file);
  const functions = Object.keys(graph.projects).filter((name) =>
    graph.projects[name]?.root.startsWith('packages/functions/'),
  );
  const consumers = new Set<string>();
  for (const fn of functions) for (const project of reachedBy(graph, fn)) consumers.add(project);
  for (const fn of functions) consumers.delete(fn);
  bundleConsumers = [...consumers].filter((name) => name in testInputs).sort();
});

describe('test inputs', () => {
  it('include the bundles for every project whose tests can run a function bundle', () => {
    // GIVEN the projects that depend on a function package, and have tests
    expect(bundleConsumers).toEqual(
      expect.arrayContaining(['function-flows', 'local-cloud', 'state-machine']),
    );

    // THEN each one hashes the .mjs outputs of the builds it depends on
    for (const project of bundleConsumers) {
      expect(testInputs[project], project).toContainEqual(BUNDLE_OUTPUTS);
    }
  });

  it('keep what @nx/vitest infers: the project, its dependencies, vitest and CI', () => {
    for (const [project, inputs] of Object.entries(testInputs)) {
      if (project === 'bench') continue; // explicit inputs of its own (it bundles its own handlers)
      expect(inputs, project).toEqual(
        expect.arrayContaining([
          'default',
          '^production',
          { externalDependencies: ['vitest'] },
          { env: 'CI' },
        ]),
      );
    }
  });
});
