import { describe, expect, it } from 'vitest';
import { noReplacement } from '../../src/rules/no-replacement.js';

describe('no-replacement', () => {
  it('Compliance / not applicable: an in-place update', () => {
    expect(noReplacement.check({ Action: 'Modify', Replacement: 'False' }).status).toBe('not-applicable');
    expect(noReplacement.check({ Action: 'Add' }).status).toBe('not-applicable');
    expect(noReplacement.check({ Action: 'Modify', Replacement: 'Conditional' }).status).toBe(
      'not-applicable',
    );
  });

  it('Noncompliance 1: Replacement True names the property that requires recreation', () => {
    const result = noReplacement.check({
      Action: 'Modify',
      Replacement: 'True',
      PolicyAction: 'ReplaceAndDelete',
      Details: [
        {
          Target: { Attribute: 'Properties', Name: 'TableName', RequiresRecreation: 'Always' },
          Evaluation: 'Static',
        },
        {
          Target: { Attribute: 'Properties', Name: 'BillingMode', RequiresRecreation: 'Never' },
          Evaluation: 'Static',
        },
        {
          Target: { Attribute: 'Properties', Name: 'TableName', RequiresRecreation: 'Always' },
          Evaluation: 'Static',
        },
      ],
    });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'Replace' });
    const reason = result.status === 'non-compliant' ? result.reason : '';
    expect(reason).toContain('changing TableName requires recreation');
    expect(reason).not.toContain('BillingMode');
    expect(reason).toContain('ReplaceAndDelete');
  });

  it('Noncompliance 2: without Details the reason still says what happens', () => {
    const result = noReplacement.check({ Action: 'Modify', Replacement: 'True' });
    expect(result.status === 'non-compliant' && result.reason).toBe(
      'Modify replaces the resource (Replacement True).',
    );
  });

  it('Noncompliance 3: a SyncWithActual that replaces is judged like a Modify', () => {
    expect(noReplacement.check({ Action: 'SyncWithActual', Replacement: 'True' }).status).toBe(
      'non-compliant',
    );
  });

  it('Noncompliance 4: several properties are listed together', () => {
    const result = noReplacement.check({
      Action: 'Modify',
      Replacement: 'True',
      Details: [
        { Target: { Attribute: 'Properties', Name: 'KeySchema', RequiresRecreation: 'Always' } },
        { Target: { Attribute: 'Properties', Name: 'TableName', RequiresRecreation: 'Always' } },
      ],
    });
    expect(result.status === 'non-compliant' && result.reason).toContain(
      'changing KeySchema and TableName requires recreation',
    );
  });
});
