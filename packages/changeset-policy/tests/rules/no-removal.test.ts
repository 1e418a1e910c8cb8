import { describe, expect, it } from 'vitest';
import { noRemoval } from '../../src/rules/no-removal.js';

describe('no-removal', () => {
  it.each(['Add', 'Modify', 'Import', 'Dynamic'])('Not applicable: %s', (action) => {
    expect(noRemoval.check({ Action: action, Replacement: 'True' }).status).toBe('not-applicable');
  });

  it('Noncompliance 1: a Remove deletes the resource', () => {
    const result = noRemoval.check({
      Action: 'Remove',
      ResourceType: 'AWS::S3::Bucket',
      PolicyAction: 'Delete',
    });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'Remove' });
    expect(result.status === 'non-compliant' && result.reason).toMatch(
      /deletes the resource \(PolicyAction Delete\)/,
    );
  });

  it('Noncompliance 2: a retained Remove is still a finding (the policy decides whether to allow it)', () => {
    const result = noRemoval.check({ Action: 'Remove', PolicyAction: 'Retain' });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'Remove' });
    expect(result.status === 'non-compliant' && result.reason).toMatch(/Retain keeps the physical resource/);
  });

  it('Noncompliance 3: removing a nested stack says that everything in it goes', () => {
    const result = noRemoval.check({ Action: 'Remove', ResourceType: 'AWS::CloudFormation::Stack' });
    expect(result.status === 'non-compliant' && result.reason).toMatch(
      /nested stack and every resource in it/,
    );
  });

  it('Noncompliance 4: Snapshot is named', () => {
    const result = noRemoval.check({ Action: 'Remove', PolicyAction: 'Snapshot' });
    expect(result.status === 'non-compliant' && result.reason).toMatch(/snapshot/);
  });
});
