import { dependencyOrder, reachedBy, type WorkspaceGraph } from './graph.js';

/** Where the generated document lives, relative to the workspace root. */
export const CI_DOC_PATH = 'docs/CI.md';

/** The command that regenerates it, from the workspace root. */
export const REGENERATE_COMMAND = 'pnpm nx run ci-checks:ci-doc';

/** What the document needs to know of a target beyond its name. */
export interface TargetFacts {
  /** Project name → target name → whether Nx caches it. */
  readonly cached: Readonly<Record<string, Readonly<Record<string, boolean>>>>;
}

const code = (text: string): string => `\`${text}\``;
const list = (names: Iterable<string>): string => [...names].sort().map(code).join(', ') || '—';

function reachTable(graph: WorkspaceGraph, deployable: readonly string[]): string[] {
  const rows = Object.keys(graph.projects)
    .sort()
    .map((name) => {
      const reached = reachedBy(graph, name);
      reached.delete(name);
      const deploys = deployable.filter((app) => app === name || reached.has(app));
      return `| ${code(name)} | ${code(graph.projects[name]?.root ?? '')} | ${list(reached)} | ${list(deploys)} |`;
    });
  return [
    '| Project | Folder | A change to it also reaches | Apps the deploy job deploys |',
    '| --- | --- | --- | --- |',
    ...rows,
  ];
}

function cacheTable(facts: TargetFacts): string[] {
  const byTarget = new Map<string, { cached: string[]; uncached: string[] }>();
  for (const [project, targets] of Object.entries(facts.cached)) {
    for (const [target, cached] of Object.entries(targets)) {
      const entry = byTarget.get(target) ?? { cached: [], uncached: [] };
      (cached ? entry.cached : entry.uncached).push(project);
      byTarget.set(target, entry);
    }
  }
  const describe = (mine: string[], others: string[]): string =>
    mine.length === 0 ? 'none' : others.length === 0 ? 'every project that has it' : list(mine);
  return [
    '| Target | Cached in | Never cached in |',
    '| --- | --- | --- |',
    ...['lint', 'typecheck', 'test', 'build', 'synth', 'deploy'].flatMap((target) => {
      const entry = byTarget.get(target);
      if (entry === undefined) return [];
      const [cached, uncached] = [entry.cached, entry.uncached];
      return [`| ${code(target)} | ${describe(cached, uncached)} | ${describe(uncached, cached)} |`];
    }),
  ];
}

/**
 * docs/CI.md, rendered from the project graph (and the caching settings Nx resolved for every
 * target). The same graph gives the same text, byte for byte: a test compares it with the file.
 */
export function renderCiDoc(graph: WorkspaceGraph, facts: TargetFacts): string {
  const deployable = Object.keys(graph.projects)
    .filter((name) => graph.projects[name]?.targets.includes('deploy'))
    .sort();
  // The app the others depend on: the one a reader most likely deploys alone.
  const example = dependencyOrder(graph, deployable)[0] ?? 'state-machine';
  const onNode22 = Object.keys(graph.projects)
    .filter((name) => graph.projects[name]?.targets.includes('test-node22'))
    .sort();
  return [
    '<!-- Generated from the Nx project graph by `pnpm nx run ci-checks:ci-doc`: do not edit by hand. -->',
    '<!-- A test of tools/ci-checks fails when this file no longer matches the graph. -->',
    '',
    '# CI: what a change reaches, caching, deploying one app',
    '',
    'The same commands run on a laptop, in GitHub Actions and in AWS CodeBuild:',
    '',
    '- `.github/workflows/ci.yml` — on every push and pull request: `pnpm install --frozen-lockfile`,',
    '  then `pnpm nx affected -t lint typecheck test build` between the Nx base and head revisions',
    '  (nrwl/nx-set-shas: for a pull request the merge base with `main`, for a push to `main` the last',
    '  commit whose CI run succeeded), and the checks of `tools/ci-checks` every time. On pull requests',
    '  it synthesizes the sample app at the base and the head revision and runs',
    '  `changeset-policy diff` on the two templates: an unsafe change fails the job and is commented on the',
    '  pull request. On `main`, once the checks pass, it deploys the affected CDK apps, one job each.',
    '- `.github/workflows/deploy-app.yml` — deploys one CDK app (called by ci.yml, or run by hand).',
    '- `buildspec.yml` — the same for AWS CodeBuild (and the build stage of the pipeline app).',
    '',
    '## What a change to each project reaches',
    '',
    '`nx affected` runs a target for every project a change touches and for every project that depends',
    'on one of them, directly or not. The table below is that relation, read from the Nx project graph',
    "(the `workspace:*` dependencies of the projects' package.json files and the imports Nx finds).",
    'A change to a file that belongs to no project (the root package.json, the lockfile, nx.json,',
    '`tsconfig.base.json`) is judged by Nx itself: the lockfile and the root package.json reach the',
    'projects whose dependencies changed, nx.json and the shared inputs reach every project.',
    '',
    ...reachTable(graph, deployable),
    '',
    '## How caching works',
    '',
    'Nx stores the outputs and the terminal output of a cacheable target under `.nx/cache`, keyed by',
    "a hash of the target's inputs: the project's files (for `build`, the `production` files: tests",
    'excluded), the same inputs of the projects it depends on, the shared globals of nx.json',
    '(`tsconfig.base.json`, `vitest.shared.ts`), the external packages it resolves and the command.',
    "A `test` also hashes the outputs of the builds it depends on, `.mjs` included (nx.json's",
    '`targetDefaults`): the tests that run the function bundles are run again when a bundle changes,',
    'even if only `scripts/bundle-function.mjs` did (`tests/cache-inputs.test.ts` checks it).',
    'When the hash is known, Nx replays the result instead of running the target. Targets that talk to',
    'AWS or read state from outside the repository are never cached.',
    '',
    ...cacheTable(facts),
    '',
    '- GitHub Actions keeps `.nx/cache` between runs with actions/cache (key: the lockfile hash and the',
    '  commit, restored from the newest entry of the same lockfile, then any). The pnpm store is cached',
    '  by actions/setup-node (`cache: pnpm`).',
    '- CodeBuild keeps `.nx/cache` and the pnpm store with the `cache.paths` of buildspec.yml (turn on',
    '  an S3 or local cache on the CodeBuild project).',
    '- The cache is trusted input: share it only between runs of the same repository. `pnpm nx reset`',
    '  empties it.',
    '',
    "## Node.js 22, Lambda's runtime",
    '',
    "The toolchain (pnpm, Nx, every `test` target) runs on the machine's Node.js (≥ 20.19); the function",
    "bundles run on Lambda's `nodejs22.x`. So the projects that run the bundles have a second target,",
    `\`test-node22\`: ${list(onNode22)}. Their \`test\` depends on it, so \`pnpm test\`, \`nx affected -t test\``,
    'and every CI entry point above run it as well. It runs vitest on the Node.js 22 that `tools/node22`',
    'installs from the npm registry (`node-<platform>-<arch>`, an optional dependency of that package',
    "only, so its `node` never shadows the toolchain's on `PATH`): function-flows runs all its tests",
    '(the bundles chained against moto), local-cloud the ones that start an emulator (listed in its',
    '`package.json`). Locally, `pnpm nx run function-flows:test --exclude-task-dependencies` skips it once',
    'the bundles are built.',
    '',
    '## Deploying one app alone',
    '',
    `Apps with a \`deploy\` target: ${list(deployable)}. Each deploys on its own; \`nx\` builds what it`,
    'needs first (the function bundles, the libraries).',
    '',
    `- On a workstation, with AWS credentials: \`pnpm nx run ${example}:deploy\`.`,
    '- In GitHub Actions: run the *Deploy one app* workflow (`deploy-app.yml`) by hand and choose the app.',
    '  On `main`, ci.yml deploys the affected apps only, in dependency order, one job per app.',
    `- In CodeBuild: start a build with the environment variable \`DEPLOY_APP=${example}\``,
    `  (\`aws codebuild start-build --project-name NAME --environment-variables-override name=DEPLOY_APP,value=${example},type=PLAINTEXT\`).`,
    '',
    'The credentials come from OIDC in GitHub Actions (aws-actions/configure-aws-credentials assumes the',
    'role in the repository variable `AWS_DEPLOY_ROLE_ARN`, region `AWS_REGION`; no access keys are',
    "stored) and from the CodeBuild project's service role in CodeBuild. The `cdk deploy` of every app",
    "keeps CDK's default approval (`broadening`): a change that widens IAM permissions or security groups",
    'stops in CI, because no one can approve it there; deploy it from a workstation after review.',
    '',
    `Regenerate this file with \`${REGENERATE_COMMAND}\`.`,
    '',
  ].join('\n');
}
