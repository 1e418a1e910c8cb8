import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARN, modify, page, remove } from './helpers.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Installs the packed tarball into a directory outside the repository, as a user of the package would. */
describe('the published package (pnpm pack → npm install)', { timeout: 120_000 }, () => {
  let consumer: string;

  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), 'changeset-policy-consumer-'));
    execFileSync('pnpm', ['pack', '--pack-destination', consumer], { cwd: packageDir, stdio: 'pipe' });
    const tarball = readdirSync(consumer).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball into ${consumer}`);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`], {
      cwd: consumer,
      stdio: 'pipe',
    });
    writeFileSync(join(consumer, 'safe.json'), JSON.stringify(page('ok', [modify('Q', 'False')])));
    writeFileSync(join(consumer, 'unsafe.json'), JSON.stringify(page('bad', [remove('Bucket')])));
    writeFileSync(join(consumer, 'broken.json'), '{');
  }, 120_000);

  afterAll(() => {
    if (consumer) rmSync(consumer, { recursive: true, force: true });
  });

  it('imports the library API and evaluates a change set', () => {
    const script = `
      import { evaluate, parsePolicy, DEFAULT_POLICY, PolicySchema } from '@cfn-safe-deploy/changeset-policy';
      const pages = [{ ChangeSetId: ${JSON.stringify(ARN('x'))}, Status: 'CREATE_COMPLETE', Changes: [{ Type: 'Resource', ResourceChange: { Action: 'Remove', LogicalResourceId: 'B', ResourceType: 'AWS::S3::Bucket', PolicyAction: 'Retain' } }] }];
      const strict = evaluate(pages, DEFAULT_POLICY);
      const lenient = evaluate(pages, parsePolicy({ version: 1, allowRetainedRemovals: true }));
      console.log(JSON.stringify([strict.verdict, lenient.verdict, typeof PolicySchema.parse]));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual([
      'RESOURCES-BEING-DELETED-OR-REPLACED',
      'CAN-SAFELY-UPDATE-EXISTING-STACK',
      'function',
    ]);
  });

  it('runs the installed bin with exit codes 0, 1 and 2', () => {
    const bin = join(consumer, 'node_modules', '.bin', 'changeset-policy');
    const run = (file: string) => spawnSync(bin, ['evaluate', file], { cwd: consumer, encoding: 'utf8' });
    expect(run('safe.json').status).toBe(0);
    expect(run('unsafe.json').status).toBe(1);
    const broken = run('broken.json');
    expect(broken.status).toBe(2);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('broken.json');
  });
});
