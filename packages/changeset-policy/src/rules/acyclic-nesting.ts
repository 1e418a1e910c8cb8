import { nonCompliant, type RuleResult } from './types.js';

export const ACYCLIC_NESTING = 'acyclic-nesting';

/** Requires a nested change set not to point back at one of the change sets that contain it. */
export function acyclicNesting(changeSetId: string, ancestors: ReadonlySet<string>): RuleResult {
  if (!ancestors.has(changeSetId)) return { status: 'compliant' };
  return nonCompliant(
    'FailClosed',
    `The nested change set ${changeSetId} contains itself (a cycle in the input), so the input cannot be judged; failing closed.`,
  );
}
