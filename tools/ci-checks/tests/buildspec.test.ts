import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/paths.js';

/** The keys CodeBuild documents for a buildspec, version 0.2. */
const TOP_LEVEL = ['version', 'run-as', 'env', 'proxy', 'batch', 'phases', 'reports', 'artifacts', 'cache'];
const ENV = [
  'shell',
  'variables',
  'parameter-store',
  'exported-variables',
  'secrets-manager',
  'git-credential-helper',
];
const PHASES = ['install', 'pre_build', 'build', 'post_build'];
const PHASE = ['run-as', 'on-failure', 'runtime-versions', 'commands', 'finally'];
const ARTIFACTS = [
  'files',
  'name',
  'discard-paths',
  'base-directory',
  'exclude-paths',
  'enable-symlinks',
  's3-prefix',
  'secondary-artifacts',
];

const text = readFileSync(join(WORKSPACE_ROOT, 'buildspec.yml'), 'utf8');
const spec = parse(text) as {
  version: unknown;
  env: { variables: Record<string, unknown> } & Record<string, unknown>;
  phases: Record<string, { commands: unknown[] } & Record<string, unknown>>;
  artifacts: Record<string, unknown>;
  cache?: { paths: unknown[] };
};

const unknownKeys = (value: object, allowed: readonly string[]): string[] =>
  Object.keys(value).filter((key) => !allowed.includes(key));

describe('buildspec.yml', () => {
  it('is version 0.2 and uses only the documented keys', () => {
    // GIVEN / WHEN / THEN
    expect(spec.version).toBe(0.2);
    expect(unknownKeys(spec, TOP_LEVEL)).toEqual([]);
    expect(unknownKeys(spec.env, ENV)).toEqual([]);
    expect(unknownKeys(spec.phases, PHASES)).toEqual([]);
    expect(unknownKeys(spec.artifacts, ARTIFACTS)).toEqual([]);
  });

  it.each(PHASES)('phase %s has a list of string commands and only documented keys', (name) => {
    // GIVEN / WHEN
    const phase = spec.phases[name];

    // THEN
    expect(phase).toBeDefined();
    expect(unknownKeys(phase ?? {}, PHASE)).toEqual([]);
    expect(Array.isArray(phase?.commands)).toBe(true);
    expect(phase?.commands.length).toBeGreaterThan(0);
    for (const command of phase?.commands ?? []) expect(typeof command).toBe('string');
  });

  it('gives every environment variable a string value', () => {
    // GIVEN / WHEN / THEN
    for (const value of Object.values(spec.env.variables)) expect(typeof value).toBe('string');
    expect(spec.env.variables).toMatchObject({ CHECKS: 'all', DEPLOY_APP: '', NX_DAEMON: 'false' });
  });

  it('installs pnpm and the lockfile, runs the checks, synthesizes the sample app, deploys one app on request', () => {
    // GIVEN
    const commands = Object.values(spec.phases)
      .flatMap((phase) => phase.commands)
      .join('\n');

    // WHEN / THEN
    expect(spec.phases.install?.['runtime-versions']).toMatchObject({ nodejs: 22 });
    expect(commands).toContain('corepack enable');
    expect(commands).toContain('pnpm install --frozen-lockfile');
    expect(commands).toContain('pnpm nx affected --base="$NX_BASE" --head=HEAD -t lint typecheck test build');
    expect(commands).toContain('all) pnpm test ;;');
    expect(commands).toContain('pnpm nx run sample-app:synth');
    expect(commands).toContain('pnpm nx run "$DEPLOY_APP:deploy"');
  });

  it("hands the sample app's whole cloud assembly to the pipeline as cdk.out/ (apps/pipeline's build stage runs this file)", () => {
    // GIVEN / WHEN / THEN
    expect(spec.artifacts).toEqual({
      'base-directory': 'apps/sample-app',
      files: ['cdk.out/**/*'],
    });
    expect(spec.cache?.paths).toContain('.nx/cache/**/*');
  });
});
