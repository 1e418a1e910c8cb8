import { describe, expect, it } from 'vitest';
import { acyclicNesting } from '../../src/rules/acyclic-nesting.js';
import { completePages } from '../../src/rules/complete-pages.js';
import { nestedChangeSetGiven } from '../../src/rules/nested-change-set-given.js';
import { resourceChangePresent } from '../../src/rules/resource-change-present.js';

describe('complete-pages', () => {
  it('Compliance: one page without NextToken, or the last of several', () => {
    expect(completePages([{}], 'cs').status).toBe('compliant');
    expect(completePages([{ NextToken: 'a' }, { NextToken: null }], 'cs').status).toBe('compliant');
  });

  it('Noncompliance 1: every page has a NextToken', () => {
    const result = completePages([{ NextToken: 'a' }, { NextToken: 'b' }], 'my-change-set');
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'FailClosed' });
    expect(result.status === 'non-compliant' && result.reason).toMatch(
      /my-change-set.*every page given \(2\)/,
    );
  });
});

describe('nested-change-set-given', () => {
  it('Compliance: the nested change set is in the input', () => {
    expect(nestedChangeSetGiven('arn:x', new Set(['arn:x'])).status).toBe('compliant');
  });

  it('Noncompliance 1: it is not', () => {
    const result = nestedChangeSetGiven('arn:x', new Set(['arn:y']));
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'FailClosed' });
    expect(result.status === 'non-compliant' && result.reason).toContain('arn:x');
  });
});

describe('acyclic-nesting', () => {
  it('Compliance: not an ancestor', () => {
    expect(acyclicNesting('c', new Set(['a', 'b'])).status).toBe('compliant');
  });

  it('Noncompliance 1: points back at an ancestor', () => {
    expect(acyclicNesting('a', new Set(['a', 'b']))).toMatchObject({
      status: 'non-compliant',
      kind: 'FailClosed',
    });
  });
});

describe('resource-change-present', () => {
  it('Compliance: a resource change', () => {
    expect(resourceChangePresent({ Type: 'Resource', ResourceChange: { Action: 'Add' } }).status).toBe(
      'compliant',
    );
  });

  it('Noncompliance 1: another Type', () => {
    const result = resourceChangePresent({ Type: 'Output' });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'FailClosed' });
    expect(result.status === 'non-compliant' && result.reason).toContain('"Output"');
  });

  it('Noncompliance 2: no ResourceChange, or no Type', () => {
    expect(resourceChangePresent({ Type: 'Resource' }).status).toBe('non-compliant');
    expect(resourceChangePresent({ ResourceChange: { Action: 'Add' } }).status).toBe('non-compliant');
  });
});
