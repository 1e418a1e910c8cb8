import { nonCompliant, type RuleResult } from './types.js';

export const SINGLE_PARENT = 'single-parent';

/**
 * A nested change set belongs to one nested stack of one parent change set. A second change that
 * points at a change set already judged elsewhere means the input is not one change-set tree.
 */
export function singleParent(changeSetId: string): RuleResult {
  return nonCompliant(
    'FailClosed',
    `The nested change set ${changeSetId} is also pointed at by another nested stack, but a nested change set belongs to one parent; the input is not one change-set tree, failing closed.`,
  );
}
