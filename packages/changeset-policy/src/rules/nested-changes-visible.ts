import { NESTED_STACK_TYPE, NOT_APPLICABLE, nonCompliant, type ResourceRule } from './types.js';

/**
 * Requires an update of a nested stack to point at its nested change set (`ChangeSetId`), so the
 * changes inside it can be judged; without one (change set created without IncludeNestedStacks),
 * fail closed.
 */
export const nestedChangesVisible: ResourceRule = {
  id: 'nested-changes-visible',
  requires: 'an updated nested stack carries the ChangeSetId of its nested change set',
  check(change) {
    if (change.ResourceType !== NESTED_STACK_TYPE || change.Action !== 'Modify') return NOT_APPLICABLE;
    if (typeof change.ChangeSetId === 'string' && change.ChangeSetId !== '') return { status: 'compliant' };
    return nonCompliant(
      'FailClosed',
      'The nested stack is updated, but the change set does not include its changes (create the change set with IncludeNestedStacks); failing closed.',
    );
  },
};
