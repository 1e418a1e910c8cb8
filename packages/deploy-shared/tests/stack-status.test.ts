import { describe, expect, it } from 'vitest';
import { classifyExistingStack, operationProgress } from '../src/stack-status.js';

describe('classifyExistingStack', () => {
  it('treats REVIEW_IN_PROGRESS as missing: a CREATE change set', () => {
    const decision = classifyExistingStack('REVIEW_IN_PROGRESS');
    expect(decision).toMatchObject({ next: 'update', changeSetType: 'CREATE' });
    expect(decision.reason).toContain('treated as missing');
  });

  it('recreates a stack in ROLLBACK_COMPLETE', () => {
    expect(classifyExistingStack('ROLLBACK_COMPLETE').next).toBe('recreate');
  });

  it.each([
    'CREATE_COMPLETE',
    'UPDATE_COMPLETE',
    'UPDATE_ROLLBACK_COMPLETE',
    'IMPORT_COMPLETE',
    'IMPORT_ROLLBACK_COMPLETE',
  ])('updates a stack in %s with an UPDATE change set', (status) => {
    expect(classifyExistingStack(status)).toMatchObject({ next: 'update', changeSetType: 'UPDATE' });
  });

  it.each([
    'CREATE_IN_PROGRESS',
    'UPDATE_IN_PROGRESS',
    'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_ROLLBACK_IN_PROGRESS',
    'ROLLBACK_IN_PROGRESS',
    'DELETE_IN_PROGRESS',
    'IMPORT_IN_PROGRESS',
  ])('waits for a stack busy in %s', (status) => {
    const decision = classifyExistingStack(status);
    expect(decision.next).toBe('wait');
    expect(decision.reason).toContain(status);
  });

  it.each([
    ['UPDATE_ROLLBACK_FAILED', 'ContinueUpdateRollback'],
    ['ROLLBACK_FAILED', 'delete the stack'],
    ['DELETE_FAILED', 'delete the stack again'],
    ['IMPORT_ROLLBACK_FAILED', 'continue the rollback'],
    ['CREATE_FAILED', 'delete the stack'],
    ['UPDATE_FAILED', 'RollbackStack'],
    ['SOMETHING_FAILED', 'repair the stack'],
  ])('refuses a stack in %s and says what to do', (status, advice) => {
    const decision = classifyExistingStack(status);
    expect(decision.next).toBe('refuse');
    expect(decision.reason).toContain(status);
    expect(decision.reason).toContain(advice);
  });

  it.each(['DELETE_COMPLETE', 'BRAND_NEW_STATUS', ''])('fails closed on %j', (status) => {
    expect(classifyExistingStack(status).next).toBe('refuse');
  });
});

describe('operationProgress', () => {
  it.each([
    ['create', 'CREATE_IN_PROGRESS', 'in-progress'],
    ['create', 'ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['create', 'DELETE_IN_PROGRESS', 'in-progress'],
    ['create', 'CREATE_COMPLETE', 'succeeded'],
    ['create', 'ROLLBACK_COMPLETE', 'failed'],
    ['create', 'DELETE_COMPLETE', 'failed'],
    ['create', 'CREATE_FAILED', 'failed'],
    ['create', 'ROLLBACK_FAILED', 'failed'],
    ['create', 'DELETE_FAILED', 'failed'],
    ['update', 'UPDATE_IN_PROGRESS', 'in-progress'],
    ['update', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['update', 'UPDATE_ROLLBACK_IN_PROGRESS', 'in-progress'],
    ['update', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS', 'in-progress'],
    ['update', 'UPDATE_COMPLETE', 'succeeded'],
    ['update', 'UPDATE_ROLLBACK_COMPLETE', 'failed'],
    ['update', 'UPDATE_ROLLBACK_FAILED', 'failed'],
    ['update', 'UPDATE_FAILED', 'failed'],
    ['update', 'CREATE_COMPLETE', 'succeeded'],
    ['update', 'ROLLBACK_COMPLETE', 'failed'],
    ['delete', 'DELETE_IN_PROGRESS', 'in-progress'],
    ['delete', 'ROLLBACK_COMPLETE', 'in-progress'],
    ['delete', 'DELETE_COMPLETE', 'succeeded'],
    ['delete', 'DELETE_FAILED', 'failed'],
    ['delete', 'UPDATE_COMPLETE', 'failed'],
    ['create', 'NOT_A_STATUS', 'failed'],
  ] as const)('%s in %s → %s', (kind, status, expected) => {
    expect(operationProgress(kind, status)).toBe(expected);
  });
});
