import { nonCompliant, type RuleResult } from './types.js';

export const NESTED_CHANGE_SET_GIVEN = 'nested-change-set-given';

/** Requires a nested change set that a change points at (`ResourceChange.ChangeSetId`) to be part of the input. */
export function nestedChangeSetGiven(
  changeSetId: string,
  given: { readonly has: (id: string) => boolean },
): RuleResult {
  if (given.has(changeSetId)) return { status: 'compliant' };
  return nonCompliant(
    'FailClosed',
    `The nested change set ${changeSetId} is not in the input, so the changes inside this nested stack are unknown; failing closed.`,
  );
}
