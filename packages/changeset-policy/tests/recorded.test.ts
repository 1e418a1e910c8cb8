import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, parseChangeSetPages, SAFE, UNSAFE } from '../src/index.js';
import { runCli } from './helpers.js';

// DescribeChangeSet responses in the shapes AWS returns them (the JSON `aws cloudformation
// describe-change-set` prints), written from the CloudFormation API reference: every field AWS sends,
// including the ones the policy does not read.
const recorded = (name: string) => new URL(`./recorded/${name}.json`, import.meta.url).pathname;
const load = (name: string) => parseChangeSetPages(JSON.parse(readFileSync(recorded(name), 'utf8')), name);

const cli = runCli;

describe('recorded DescribeChangeSet responses', () => {
  it('a key-schema change replaces the table (Replacement True); the Lambda update is in place', () => {
    const result = evaluate(load('replacement'));
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule, f.policyAction])).toEqual([
      ['OrdersTable', 'no-replacement', 'ReplaceAndDelete'],
    ]);
    expect(result.findings[0]?.reason).toContain('changing KeySchema requires recreation');
  });

  it('an AMI read from Systems Manager at deploy time may replace the instance (Conditional)', () => {
    const result = evaluate(load('conditional'));
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule])).toEqual([
      ['WebServer', 'no-conditional-replacement'],
    ]);
    expect(result.findings[0]?.reason).toContain('ImageId (value known only at deploy time)');
  });

  it('a replacement inside a nested stack is found at its stack path', () => {
    const result = evaluate(load('nested'));
    expect(result.findings.map((f) => [f.stackPath, f.logicalResourceId, f.rule])).toEqual([
      [['DataStack'], 'Bucket', 'no-replacement'],
    ]);
  });

  it('every page is read: the removal on the second page is found', () => {
    const pages = load('paged');
    expect(pages[0]?.Changes).toHaveLength(100);
    const result = evaluate(pages);
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule])).toEqual([
      ['DeadLetterQueue', 'no-removal'],
    ]);
    expect(evaluate(pages.slice(0, 1)).findings.map((f) => f.rule)).toEqual(['complete-pages']);
  });

  it('a drift-aware change set (REVERT_DRIFT): SyncWithActual and an in-place revert are safe', () => {
    const result = evaluate(load('drift-aware'));
    expect(result).toMatchObject({ verdict: SAFE, findings: [], allowed: [] });
  });

  it('a change set still being created is never safe, even with its empty Changes list', async () => {
    const result = evaluate(load('in-progress'));
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule])).toEqual([
      ['prod-orders', 'change-set-complete'],
    ]);
    expect(result.findings[0]?.reason).toMatch(/cfn-safe-deploy-0a0a0a .*is in status CREATE_IN_PROGRESS/);
    const { code, stdout } = await cli('evaluate', recorded('in-progress'));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^RESOURCES-BEING-DELETED-OR-REPLACED/);
  });

  it('the output of describe-change-set-hooks is not a change set: exit 2 naming the missing Changes', async () => {
    const { code, stdout, stderr } = await cli('evaluate', recorded('hooks-output'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('it has no Changes list');
  });

  it('the CLI gives the same verdicts from the files', async () => {
    const verdicts = await Promise.all(
      ['replacement', 'conditional', 'nested', 'paged', 'drift-aware'].map(
        async (name) => (await cli('evaluate', recorded(name))).code,
      ),
    );
    expect(verdicts).toEqual([1, 1, 1, 1, 0]);
  });
});
