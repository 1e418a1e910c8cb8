import { describe, expect, it } from 'vitest';
import { noConditionalReplacement } from '../../src/rules/no-conditional-replacement.js';

describe('no-conditional-replacement', () => {
  it('Not applicable: Replacement True or False, other actions', () => {
    expect(noConditionalReplacement.check({ Action: 'Modify', Replacement: 'True' }).status).toBe(
      'not-applicable',
    );
    expect(noConditionalReplacement.check({ Action: 'Modify', Replacement: 'False' }).status).toBe(
      'not-applicable',
    );
    expect(noConditionalReplacement.check({ Action: 'Remove', Replacement: 'Conditional' }).status).toBe(
      'not-applicable',
    );
  });

  it('Noncompliance 1: a property known only at deploy time', () => {
    const result = noConditionalReplacement.check({
      Action: 'Modify',
      Replacement: 'Conditional',
      Details: [
        {
          Target: { Attribute: 'Properties', Name: 'BucketName', RequiresRecreation: 'Always' },
          Evaluation: 'Dynamic',
        },
      ],
    });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'ConditionalReplace' });
    expect(result.status === 'non-compliant' && result.reason).toContain(
      'BucketName (value known only at deploy time)',
    );
  });

  it('Noncompliance 2: a property that requires recreation conditionally', () => {
    const result = noConditionalReplacement.check({
      Action: 'Modify',
      Replacement: 'Conditional',
      Details: [{ Target: { Attribute: 'Properties', Name: 'Engine', RequiresRecreation: 'Conditionally' } }],
    });
    expect(result.status === 'non-compliant' && result.reason).toContain(
      'Engine (requires recreation conditionally)',
    );
  });
});
