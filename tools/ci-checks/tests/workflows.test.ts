import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/paths.js';
import { manifestGraph } from './support/workspace.js';

const WORKFLOWS = join(WORKSPACE_ROOT, '.github', 'workflows');
const workflowFiles = readdirSync(WORKFLOWS)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  steps?: Step[];
  uses?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
  permissions?: Record<string, string>;
}

const read = (file: string): string => readFileSync(join(WORKFLOWS, file), 'utf8');
const workflow = (file: string): Workflow => parse(read(file)) as Workflow;
const steps = (wf: Workflow): Step[] => Object.values(wf.jobs).flatMap((job) => job.steps ?? []);

describe('the workflow files', () => {
  it('exist: ci.yml and deploy-app.yml', () => {
    // GIVEN / WHEN / THEN
    expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'deploy-app.yml']));
  });

  it.each(workflowFiles)('%s passes the GitHub workflow schema (action-validator)', (file) => {
    // GIVEN
    const source = read(file);

    // WHEN
    const result = validateWorkflow(source);

    // THEN
    expect(result.errors).toEqual([]);
  });

  it.each(workflowFiles)('%s pins every action to a version', (file) => {
    // GIVEN
    const uses = steps(workflow(file))
      .map((step) => step.uses)
      .filter((ref): ref is string => ref !== undefined && !ref.startsWith('./'));

    // WHEN
    const unpinned = uses.filter((ref) => !/@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/.test(ref));

    // THEN
    expect(uses.length).toBeGreaterThan(0);
    expect(unpinned).toEqual([]);
  });
});

describe('the validator', () => {
  it('rejects a workflow with a typo in a key', () => {
    // GIVEN ci.yml with `runs-on` misspelt
    const broken = read('ci.yml').replace('runs-on: ubuntu-24.04', 'run-on: ubuntu-24.04');

    // WHEN
    const result = validateWorkflow(broken);

    // THEN
    expect(broken).not.toBe(read('ci.yml'));
    expect(result.errors.length).toBeGreaterThan(0);
  });

  it('rejects a workflow whose trigger does not exist', () => {
    // GIVEN
    const broken = read('ci.yml').replace('  pull_request:\n', '  pull-request:\n');

    // WHEN
    const result = validateWorkflow(broken);

    // THEN
    expect(result.errors.length).toBeGreaterThan(0);
  });
});

describe('ci.yml', () => {
  const ci = workflow('ci.yml');
  const all = steps(ci);
  const runs = all.map((step) => step.run ?? '').join('\n');

  it('runs on pushes and pull requests', () => {
    // GIVEN / WHEN / THEN
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('checks out the full history, sets up pnpm, Node 22 with the pnpm cache, and the Nx SHAs', () => {
    // GIVEN / WHEN
    const checkout = ci.jobs.checks?.steps?.find((step) => step.uses?.startsWith('actions/checkout@'));
    const node = ci.jobs.checks?.steps?.find((step) => step.uses?.startsWith('actions/setup-node@'));
    const uses = ci.jobs.checks?.steps?.map((step) => step.uses?.split('@')[0]);

    // THEN
    expect(checkout?.with?.['fetch-depth']).toBe(0);
    expect(node?.with).toMatchObject({ 'node-version': 22, cache: 'pnpm' });
    expect(uses).toEqual(
      expect.arrayContaining([
        'pnpm/action-setup',
        'nrwl/nx-set-shas',
        'actions/setup-python',
        'actions/cache',
      ]),
    );
  });

  it('keeps the Nx cache, installs moto and the lockfile, runs the affected targets', () => {
    // GIVEN / WHEN
    const cache = all.find((step) => step.uses?.startsWith('actions/cache@'));

    // THEN
    expect(cache?.with?.path).toBe('.nx/cache');
    expect(runs).toContain("pip install 'moto[server]");
    expect(runs).toContain('pnpm install --frozen-lockfile');
    expect(runs).toContain('pnpm nx affected -t lint typecheck test build');
    expect(runs).toContain('pnpm nx run ci-checks:test');
  });

  it('judges the sample app template change with changeset-policy diff on pull requests', () => {
    // GIVEN / WHEN
    const diff = ci.jobs['changeset-policy-diff'];

    // THEN
    expect(diff).toMatchObject({ if: "github.event_name == 'pull_request'" });
    expect(runs).toContain('pnpm --silent changeset-policy diff --format text');
  });

  it('deploys the affected apps on main, one job each, through deploy-app.yml with OIDC', () => {
    // GIVEN / WHEN
    const deploy = ci.jobs.deploy;

    // THEN
    expect(deploy?.uses).toBe('./.github/workflows/deploy-app.yml');
    expect(deploy?.permissions).toMatchObject({ 'id-token': 'write' });
    expect(deploy?.strategy?.matrix).toEqual({
      app: ['$', '{{ fromJSON(needs.deploy-plan.outputs.apps) }}'].join(''),
    });
    expect(runs).toContain('node tools/ci-checks/dist/cli.js deploy-plan');
  });
});

describe('deploy-app.yml', () => {
  const deployApp = workflow('deploy-app.yml');

  it('assumes a role through OIDC, with no stored keys', () => {
    // GIVEN / WHEN
    const credentials = steps(deployApp).find((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );

    // THEN
    expect(deployApp.permissions).toMatchObject({ 'id-token': 'write' });
    expect(Object.keys(credentials?.with ?? {})).toContain('role-to-assume');
    expect(read('deploy-app.yml')).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });

  it('offers by hand exactly the apps that have a deploy target', () => {
    // GIVEN
    const { deployable } = manifestGraph(WORKSPACE_ROOT);

    // WHEN
    const dispatch = deployApp.on.workflow_dispatch as { inputs: { app: { options: string[] } } };

    // THEN
    expect([...dispatch.inputs.app.options].sort()).toEqual(deployable);
  });

  it('deploys with the repository command', () => {
    // GIVEN / WHEN / THEN
    expect(steps(deployApp).map((step) => step.run ?? '')).toContain(
      'pnpm nx run "$APP:deploy" --outputStyle=stream',
    );
  });
});
