import { NESTED_STACK_TYPE, NOT_APPLICABLE, nonCompliant, type ResourceRule } from './types.js';

function consequence(policyAction: string | null | undefined, nestedStack: boolean): string {
  const what = nestedStack ? 'the nested stack and every resource in it' : 'the resource';
  switch (policyAction) {
    case 'Retain':
      return `${what} leaves the stack; PolicyAction Retain keeps the physical resource, but CloudFormation no longer manages it.`;
    case 'Snapshot':
      return `deletes ${what} after taking a snapshot (PolicyAction Snapshot).`;
    case 'Delete':
      return `deletes ${what} (PolicyAction Delete).`;
    default:
      return `deletes ${what}${policyAction ? ` (PolicyAction ${policyAction})` : ''}.`;
  }
}

/** Requires that the change does not remove a resource (`Action: Remove`). */
export const noRemoval: ResourceRule = {
  id: 'no-removal',
  requires: 'no resource is removed',
  check(change) {
    if (change.Action !== 'Remove') return NOT_APPLICABLE;
    const text = consequence(change.PolicyAction, change.ResourceType === NESTED_STACK_TYPE);
    return nonCompliant('Remove', change.PolicyAction === 'Retain' ? `Remove: ${text}` : `Remove ${text}`);
  },
};
