import type { Change } from '../schemas.js';
import { nonCompliant, type RuleResult } from './types.js';

export const RESOURCE_CHANGE_PRESENT = 'resource-change-present';

/** Requires every entry of `Changes` to be of `Type` "Resource" with a `ResourceChange` (fail closed otherwise). */
export function resourceChangePresent(change: Change): RuleResult {
  if (change.Type === 'Resource' && change.ResourceChange) return { status: 'compliant' };
  if (change.Type !== 'Resource') {
    return nonCompliant(
      'FailClosed',
      `A change of Type ${change.Type ? JSON.stringify(change.Type) : '(none)'} is not a resource change this policy can judge; failing closed.`,
    );
  }
  return nonCompliant(
    'FailClosed',
    'A resource change without ResourceChange cannot be judged; failing closed.',
  );
}
