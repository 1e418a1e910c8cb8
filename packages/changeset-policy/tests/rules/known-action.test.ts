import { describe, expect, it } from 'vitest';
import { knownAction } from '../../src/rules/known-action.js';

describe('known-action', () => {
  it.each(['Add', 'Modify', 'Remove', 'Import', 'Dynamic', 'SyncWithActual'])('Compliance: %s', (action) => {
    expect(knownAction.check({ Action: action }).status).toBe('compliant');
  });

  it('Noncompliance 1: an undocumented action (the blog checked for "Delete", which AWS never sends)', () => {
    const result = knownAction.check({ Action: 'Delete' });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'FailClosed' });
    expect(result.status === 'non-compliant' && result.reason).toContain('"Delete"');
  });

  it('Noncompliance 2: no Action at all', () => {
    expect(knownAction.check({})).toMatchObject({ status: 'non-compliant', kind: 'FailClosed' });
    expect(knownAction.check({ Action: null })).toMatchObject({
      status: 'non-compliant',
      kind: 'FailClosed',
    });
  });

  it('Noncompliance 3: actions are case-sensitive', () => {
    expect(knownAction.check({ Action: 'remove' }).status).toBe('non-compliant');
  });
});
