import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtures } from './fixtures.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = resolve(packageDir, '../..');
const cli = resolve(packageDir, 'dist/cli.js');

let f: ReturnType<typeof writeFixtures>;
beforeAll(() => {
  f = writeFixtures();
});
afterAll(() => rmSync(f.dir, { recursive: true, force: true }));

function run(command: string, args: readonly string[], cwd = packageDir) {
  const { FORCE_COLOR: _ignored, ...env } = process.env;
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the built dist/cli.js as a process', { timeout: 30_000 }, () => {
  it('exit codes 0 / 1 / 2 with the stdout/stderr discipline', () => {
    const safe = run(process.execPath, [cli, 'evaluate', '--format', 'json', f.safe]);
    expect(safe.code).toBe(0);
    expect(JSON.parse(safe.stdout).verdict).toBe('CAN-SAFELY-UPDATE-EXISTING-STACK');

    const unsafe = run(process.execPath, [cli, 'evaluate', f.unsafe]);
    expect(unsafe.code).toBe(1);
    expect(unsafe.stdout).toMatch(/^RESOURCES-BEING-DELETED-OR-REPLACED/);

    const bad = run(process.execPath, [cli, 'evaluate', f.badJson]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('bad.json');

    const usage = run(process.execPath, [cli, 'evaluate', '--nope']);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
  });

  it('--help and --version exit 0', () => {
    expect(run(process.execPath, [cli, '--help']).code).toBe(0);
    expect(run(process.execPath, [cli, '--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('starts with a shebang so npm can link it as a bin', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('`pnpm --silent changeset-policy` from the workspace root prints nothing but the tool output', () => {
    const result = run(
      'pnpm',
      ['--silent', 'changeset-policy', 'evaluate', '--format', 'json', f.unsafe],
      workspaceRoot,
    );
    expect(result.code).toBe(1);
    expect(Object.keys(JSON.parse(result.stdout))).toEqual(['verdict', 'findings', 'allowed']);
    expect(result.stderr).toBe('');
  }, 30_000);
});
