import { describe, expect, it } from 'vitest';
import { classifyChangeSet, isChangeSetNotFoundError, isNoChangesReason } from '../src/change-set-status.js';

const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

describe('isNoChangesReason', () => {
  it.each([
    NO_CHANGES,
    'The submitted information didn\u2019t contain changes. Submit different information to create a change set.',
    'No updates are to be performed.',
  ])('recognises %s', (reason) => {
    // Act
    const result = isNoChangesReason(reason);

    // Assess
    expect(result).toBe(true);
  });

  it.each([
    undefined,
    null,
    '',
    'Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template',
    'Nested change set arn:aws:cloudformation:us-east-1:123456789012:changeSet/x/y was not successfully created: Currently in FAILED.',
    'Template error: a real failure whose text ends with No updates are to be performed.',
  ])('does not take %s for "no changes"', (reason) => {
    // Act
    const result = isNoChangesReason(reason);

    // Assess
    expect(result).toBe(false);
  });
});

describe('classifyChangeSet', () => {
  it.each(['CREATE_PENDING', 'CREATE_IN_PROGRESS'])('waits while the change set is %s', (status) => {
    // Act
    const result = classifyChangeSet(status, 'UNAVAILABLE', undefined);

    // Assess
    expect(result.next).toBe('wait');
  });

  it('inspects a CREATE_COMPLETE change set that can be executed', () => {
    // Act
    const result = classifyChangeSet('CREATE_COMPLETE', 'AVAILABLE', undefined);

    // Assess
    expect(result).toEqual({ next: 'inspect' });
  });

  it('answers no-changes for a FAILED change set that found nothing to change', () => {
    // Act
    const result = classifyChangeSet('FAILED', 'UNAVAILABLE', NO_CHANGES);

    // Assess
    expect(result).toEqual({ next: 'no-changes', reason: NO_CHANGES });
  });

  it('answers no-changes for "No updates are to be performed" (templates with transforms)', () => {
    // Act
    const result = classifyChangeSet('FAILED', 'UNAVAILABLE', 'No updates are to be performed.');

    // Assess
    expect(result.next).toBe('no-changes');
  });

  it("fails with CloudFormation's own words for any other FAILED change set", () => {
    // Prepare
    const reason =
      'Nested change set arn:aws:cloudformation:us-east-1:123456789012:changeSet/child/abc was not successfully created: Currently in FAILED.';

    // Act
    const result = classifyChangeSet('FAILED', 'UNAVAILABLE', reason);

    // Assess
    expect(result).toEqual({ next: 'failed', reason });
  });

  it('fails with a reason of its own when a FAILED change set has none', () => {
    // Act
    const result = classifyChangeSet('FAILED', undefined, '');

    // Assess
    expect(result.next).toBe('failed');
    expect(result.reason).toContain('gave no reason');
  });

  it.each([
    ['UNAVAILABLE', 'UNAVAILABLE'],
    ['OBSOLETE', 'updated after the change set was created'],
    ['EXECUTE_IN_PROGRESS', 'already executed'],
    ['EXECUTE_COMPLETE', 'already executed'],
    ['EXECUTE_FAILED', 'already executed'],
    ['SOMETHING_NEW', 'expected AVAILABLE'],
  ])('fails a CREATE_COMPLETE change set whose ExecutionStatus is %s', (executionStatus, words) => {
    // Act
    const result = classifyChangeSet('CREATE_COMPLETE', executionStatus, undefined);

    // Assess
    expect(result.next).toBe('failed');
    expect(result.reason).toContain(words);
  });

  it('fails closed when a CREATE_COMPLETE change set has no ExecutionStatus', () => {
    // Act
    const result = classifyChangeSet('CREATE_COMPLETE', undefined, undefined);

    // Assess
    expect(result.next).toBe('failed');
    expect(result.reason).toContain('no ExecutionStatus');
  });

  it.each(['DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE', 'DELETE_FAILED'])(
    'fails for a change set that is %s',
    (status) => {
      // Act
      const result = classifyChangeSet(status, 'UNAVAILABLE', 'deleted by someone');

      // Assess
      expect(result.next).toBe('failed');
      expect(result.reason).toContain(status);
      expect(result.reason).toContain('deleted by someone');
    },
  );

  it.each([undefined, null, 'CREATE_SOMETHING'])('fails closed on the unknown status %s', (status) => {
    // Act
    const result = classifyChangeSet(status, 'AVAILABLE', NO_CHANGES);

    // Assess
    expect(result.next).toBe('failed');
    expect(result.reason).toContain('expected CREATE_PENDING');
  });
});

describe('isChangeSetNotFoundError', () => {
  it.each([
    { name: 'ChangeSetNotFoundException', message: 'ChangeSet [x] does not exist' },
    { name: 'Error', code: 'ChangeSetNotFound', message: 'ChangeSet [x] does not exist' },
    { name: 'Error', Code: 'ChangeSetNotFound' },
  ])('recognises %o', (error) => {
    // Act
    const result = isChangeSetNotFoundError(error);

    // Assess
    expect(result).toBe(true);
  });

  it.each([
    undefined,
    'ChangeSetNotFoundException',
    { name: 'ValidationError', message: 'Stack with id x does not exist' },
    { name: 'ThrottlingException', message: 'Rate exceeded' },
    { name: 'AccessDenied', message: 'not authorized' },
  ])('does not take %o for a missing change set', (error) => {
    // Act
    const result = isChangeSetNotFoundError(error);

    // Assess
    expect(result).toBe(false);
  });
});
