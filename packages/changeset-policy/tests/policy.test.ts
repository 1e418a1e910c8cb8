import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, PolicyError, parsePolicy } from '../src/index.js';

function policyError(value: unknown): PolicyError {
  try {
    parsePolicy(value);
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

describe('parsePolicy', () => {
  it('applies the defaults to a minimal policy', () => {
    expect(parsePolicy({ version: 1 })).toEqual(DEFAULT_POLICY);
  });

  it('accepts a full policy', () => {
    const value = {
      version: 1,
      allow: [{ resourceType: 'AWS::Logs::*', logicalResourceId: 'Temp*', actions: ['Remove', 'Replace'] }],
      allowRetainedRemovals: true,
      conditionalReplacement: 'safe',
    };
    expect(parsePolicy(value)).toEqual(value);
  });

  it('names an unknown top-level key and the keys it expected', () => {
    const error = policyError({ version: 1, allowRetainedRemoval: true });
    expect(error.name).toBe('PolicyError');
    expect(error.message).toContain('"allowRetainedRemoval"');
    expect(error.message).toContain('allowRetainedRemovals');
    expect(error.cause).toBeDefined();
  });

  it('names an unknown key inside an allow rule with its index', () => {
    const error = policyError({ version: 1, allow: [{ actions: ['Remove'], type: 'AWS::S3::Bucket' }] });
    expect(error.message).toMatch(
      /allow\[0\] has unknown key "type"; expected only resourceType, logicalResourceId, actions/,
    );
  });

  it('names an unknown action name and the valid ones', () => {
    const error = policyError({ version: 1, allow: [{ actions: ['Remove', 'Delete'] }] });
    expect(error.message).toContain('allow[0].actions[1] is "Delete"');
    expect(error.message).toContain('"Remove" or "Replace" or "ConditionalReplace" or "Dynamic"');
  });

  it('names a bad or missing version', () => {
    expect(policyError({ version: 2 }).message).toContain('version is number 2; expected 1');
    expect(policyError({}).message).toContain('version');
  });

  it('rejects a wrong type with what was expected', () => {
    expect(policyError({ version: 1, allowRetainedRemovals: 'yes' }).message).toContain(
      'allowRetainedRemovals must be a boolean (got "yes")',
    );
    expect(policyError({ version: 1, conditionalReplacement: 'maybe' }).message).toContain(
      'conditionalReplacement',
    );
    expect(policyError([]).message).toContain('(top level) must be an object');
  });

  it('rejects an allow rule without actions', () => {
    expect(policyError({ version: 1, allow: [{ resourceType: '*', actions: [] }] }).message).toContain(
      'allow[0].actions',
    );
  });
});
