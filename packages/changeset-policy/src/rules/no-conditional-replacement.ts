import { replacementCauses, replacementOutcome } from './replacement-reason.js';
import { judgedByReplacement, NOT_APPLICABLE, nonCompliant, type ResourceRule } from './types.js';

/** Requires that an update cannot replace the resource (`Replacement: "Conditional"`). */
export const noConditionalReplacement: ResourceRule = {
  id: 'no-conditional-replacement',
  requires: 'no resource may be replaced (Replacement "Conditional")',
  check(change) {
    if (!judgedByReplacement(change.Action) || change.Replacement !== 'Conditional') return NOT_APPLICABLE;
    return nonCompliant(
      'ConditionalReplace',
      `${change.Action} may replace the resource (Replacement Conditional)${replacementCauses(change, true)}.${replacementOutcome(change.PolicyAction)}`,
    );
  },
};
