import { describe, expect, it } from 'vitest';
import { knownReplacement } from '../../src/rules/known-replacement.js';

describe('known-replacement', () => {
  it.each(['True', 'False', 'Conditional'])('Compliance: Modify with Replacement %s', (replacement) => {
    expect(knownReplacement.check({ Action: 'Modify', Replacement: replacement }).status).toBe('compliant');
  });

  it('Compliance: SyncWithActual without Replacement (AWS documents it as metadata only)', () => {
    expect(knownReplacement.check({ Action: 'SyncWithActual' }).status).toBe('compliant');
  });

  it('Not applicable: Add, Remove, Import, Dynamic', () => {
    for (const action of ['Add', 'Remove', 'Import', 'Dynamic']) {
      expect(knownReplacement.check({ Action: action }).status).toBe('not-applicable');
    }
  });

  it('Noncompliance 1: Modify without Replacement fails closed', () => {
    expect(knownReplacement.check({ Action: 'Modify' })).toMatchObject({
      status: 'non-compliant',
      kind: 'FailClosed',
    });
    expect(knownReplacement.check({ Action: 'Modify', Replacement: null })).toMatchObject({
      kind: 'FailClosed',
    });
  });

  it('Noncompliance 2: an undocumented Replacement value fails closed, also for SyncWithActual', () => {
    const result = knownReplacement.check({ Action: 'Modify', Replacement: 'Maybe' });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'FailClosed' });
    expect(result.status === 'non-compliant' && result.reason).toContain('"Maybe"');
    expect(knownReplacement.check({ Action: 'SyncWithActual', Replacement: 'true' }).status).toBe(
      'non-compliant',
    );
  });
});
