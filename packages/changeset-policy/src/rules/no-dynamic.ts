import { NOT_APPLICABLE, nonCompliant, type ResourceRule } from './types.js';

/** Requires that CloudFormation knows in advance what it will do (no `Action: Dynamic`). */
export const noDynamic: ResourceRule = {
  id: 'no-dynamic',
  requires: 'no change whose action is only decided during the update (Dynamic)',
  check(change) {
    if (change.Action !== 'Dynamic') return NOT_APPLICABLE;
    return nonCompliant(
      'Dynamic',
      'Dynamic: CloudFormation decides only during the update what happens to this resource (it may be replaced or removed).',
    );
  },
};
