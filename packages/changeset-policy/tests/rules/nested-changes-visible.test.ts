import { describe, expect, it } from 'vitest';
import { nestedChangesVisible } from '../../src/rules/nested-changes-visible.js';

const STACK = 'AWS::CloudFormation::Stack';

describe('nested-changes-visible', () => {
  it('Compliance: an updated nested stack with its nested change set', () => {
    expect(
      nestedChangesVisible.check({
        Action: 'Modify',
        ResourceType: STACK,
        ChangeSetId: 'arn:aws:cloudformation:x',
      }).status,
    ).toBe('compliant');
  });

  it('Not applicable: other resource types, or adding / removing a nested stack', () => {
    expect(nestedChangesVisible.check({ Action: 'Modify', ResourceType: 'AWS::SQS::Queue' }).status).toBe(
      'not-applicable',
    );
    expect(nestedChangesVisible.check({ Action: 'Add', ResourceType: STACK }).status).toBe('not-applicable');
    expect(nestedChangesVisible.check({ Action: 'Remove', ResourceType: STACK }).status).toBe(
      'not-applicable',
    );
  });

  it('Noncompliance 1: updated nested stack without ChangeSetId (change set made without IncludeNestedStacks)', () => {
    const result = nestedChangesVisible.check({
      Action: 'Modify',
      ResourceType: STACK,
      Replacement: 'False',
    });
    expect(result).toMatchObject({ status: 'non-compliant', kind: 'FailClosed' });
    expect(result.status === 'non-compliant' && result.reason).toContain('IncludeNestedStacks');
  });
});
