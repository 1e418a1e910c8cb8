import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AslDefinition } from '@cfn-safe-deploy/state-machine';
import { afterAll, describe, expect, it } from 'vitest';
import { machineOf, RUN_FORMAT, type SavedRun } from '../src/run-file.js';
import { cli } from './helpers.js';

const home = mkdtempSync(join(tmpdir(), 'safe-deploy-report-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const definition: AslDefinition = {
  StartAt: 'Check',
  States: { Check: { Type: 'Task', Resource: 'arn:fn', Next: 'Done' }, Done: { Type: 'Succeed' } },
};

const saved: SavedRun = {
  format: RUN_FORMAT,
  result: 'Succeeded',
  message: 'Created stack app.',
  jobId: 'job-1',
  source: '/src',
  inputFile: '/src/input.json',
  startedAt: '2026-01-01T10:00:00.000Z',
  finishedAt: '2026-01-01T10:00:01.000Z',
  triggerInvocations: 2,
  machine: machineOf(definition, { Check: 'check-stack-existence' }),
  stacks: [
    {
      status: 'attempted',
      stackName: 'app',
      stackStatus: 'CREATE_COMPLETE',
      executionStatus: 'SUCCEEDED',
      findings: [],
      allowed: [],
      outcome: { result: 'created', stackName: 'app' },
      message: 'Created stack app.',
      states: [
        {
          name: 'Check',
          type: 'Task',
          enteredAt: 0,
          exitedAt: 4,
          input: {},
          output: {},
          retries: 0,
          logs: [],
        },
        {
          name: 'Done',
          type: 'Succeed',
          enteredAt: 5,
          exitedAt: 5,
          input: {},
          output: {},
          retries: 0,
          logs: [],
        },
      ],
    },
  ],
};

describe('safe-deploy report RUN.json', () => {
  it('GIVEN a saved run THEN it writes the report beside it (or to --out) and says where', async () => {
    // Prepare
    const file = join(home, 'run.json');
    writeFileSync(file, JSON.stringify(saved));

    // Act
    const beside = await cli(['report', file], home);
    const elsewhere = await cli(['report', file, '--out', join(home, 'out', 'page.html')], home);

    // Assess
    expect(beside).toMatchObject({ code: 0, stdout: `Report: ${join(home, 'run.html')}\n`, stderr: '' });
    expect(readFileSync(join(home, 'run.html'), 'utf8')).toContain('<h1>app: created</h1>');
    expect(elsewhere.code).toBe(0);
    expect(existsSync(join(home, 'out', 'page.html'))).toBe(true);
  });

  it('GIVEN an invalid saved run THEN it exits 2 naming the bad field and writes nothing', async () => {
    // Prepare
    const file = join(home, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...saved, triggerInvocations: 'two' }));

    // Act
    const run = await cli(['report', file], home);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/bad\.json .* is invalid: triggerInvocations must be a number \(got "two"\)/);
    expect(existsSync(join(home, 'bad.html'))).toBe(false);
  });

  it('GIVEN no file, two files or a missing one THEN it exits 2 and says what it needs', async () => {
    const none = await cli(['report'], home);
    const two = await cli(['report', 'a.json', 'b.json'], home);
    const missing = await cli(['report', join(home, 'missing.json')], home);
    expect([none.code, two.code, missing.code]).toEqual([2, 2, 2]);
    expect(none.stderr).toContain('report needs exactly one saved run file (got none)');
    expect(two.stderr).toContain('(got "a.json", "b.json")');
    expect(missing.stderr).toMatch(/cannot read .*missing\.json/);
  });
});
