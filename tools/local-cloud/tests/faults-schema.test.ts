import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { FAULTABLE_FUNCTIONS, parseFaults, readFaultsFile } from '../src/faults.js';
import { cli } from './helpers.js';

function refusal(value: unknown): string {
  try {
    parseFaults(value, 'f.json:');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe('the faults file', () => {
  it('GIVEN the example of the contract WHEN read THEN every key keeps its value', () => {
    const example = {
      operationMs: 1500,
      throttle: { cloudformation: 0.3, s3: 0.1 },
      failResources: { LogicalId: 'create' },
      crash: { 'execute-change-set': 'once' },
      hang: { 'check-stack-existence': 'once' },
      duplicateTrigger: true,
      stopExecutionAfterMs: 500,
    };
    expect(parseFaults(example)).toEqual(example);
  });

  it('GIVEN an unknown key, at the top or inside WHEN read THEN it is refused naming the key', () => {
    expect(refusal({ operationMS: 5 })).toMatch(/unknown key "operationMS"/);
    expect(refusal({ throttle: { ec2: 0.1 } })).toMatch(/throttle: unknown key "ec2"/);
  });

  it('GIVEN a bad value WHEN read THEN it is refused naming the key, the value and what was expected', () => {
    expect(refusal({ crash: { 'no-such-function': 'once' } })).toMatch(
      /crash.no-such-function: .*expected a function name: publish-assets, load-template.*trigger/,
    );
    expect(refusal({ crash: { 'execute-change-set': 'twice' } })).toMatch(
      /crash.execute-change-set: .*"once".*"always".*\(got "twice"\)/,
    );
    expect(refusal({ throttle: { s3: 2 } })).toMatch(/throttle.s3: .*(got 2)/);
    expect(refusal({ failResources: { Queue: 'delete' } })).toMatch(
      /failResources.Queue: .*"create".*"update"/,
    );
    expect(refusal({ operationMs: -1 })).toMatch(/operationMs: .*\(got -1\)/);
    expect(refusal([])).toMatch(/\(top\): .*object/);
  });

  it('GIVEN every function of the state machine WHEN named by a fault THEN it is known', () => {
    expect(FAULTABLE_FUNCTIONS).toContain('trigger');
    expect(FAULTABLE_FUNCTIONS).toContain('execute-change-set');
    for (const name of FAULTABLE_FUNCTIONS) expect(parseFaults({ hang: { [name]: 'always' } })).toBeTruthy();
  });

  it('GIVEN a file that is not JSON or not there WHEN read THEN the error names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-'));
    const file = join(dir, 'faults.json');
    writeFileSync(file, '{ operationMs: 5 ');
    expect(() => readFaultsFile(file)).toThrow(new RegExp(`--faults ${file} is not JSON`));
    expect(() => readFaultsFile(join(dir, 'missing.json'))).toThrow(/missing.json cannot be read/);
    writeFileSync(file, '{"seed": 1.5}');
    expect(() => readFaultsFile(file)).toThrow(/faults\.json: file is invalid: seed: .*\(got 1.5\)/);
  });
});

describe('safe-deploy deploy --faults', () => {
  it('GIVEN a faults file with an unknown key WHEN deploy runs THEN it exits 2 naming the key, before anything runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-cli-'));
    const file = join(dir, 'faults.json');
    writeFileSync(file, JSON.stringify({ operationMs: 10, crashes: { trigger: 'once' } }));
    const run = await cli(['deploy', '--source', dir, '--input', file, '--faults', file], dir);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/--faults .*faults\.json: file is invalid: unknown key "crashes"/);
  });
});
