import { describe, expect, it } from 'vitest';
import { noDynamic } from '../../src/rules/no-dynamic.js';

describe('no-dynamic', () => {
  it('Not applicable: other actions', () => {
    expect(noDynamic.check({ Action: 'Modify', Replacement: 'False' }).status).toBe('not-applicable');
  });

  it('Noncompliance 1: Dynamic', () => {
    expect(noDynamic.check({ Action: 'Dynamic' })).toMatchObject({
      status: 'non-compliant',
      kind: 'Dynamic',
    });
  });
});
