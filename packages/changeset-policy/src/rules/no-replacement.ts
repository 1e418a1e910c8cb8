import { replacementCauses, replacementOutcome } from './replacement-reason.js';
import { judgedByReplacement, NOT_APPLICABLE, nonCompliant, type ResourceRule } from './types.js';

/** Requires that an update does not replace the resource (`Replacement: "True"`). */
export const noReplacement: ResourceRule = {
  id: 'no-replacement',
  requires: 'no resource is replaced (Replacement "True")',
  check(change) {
    if (!judgedByReplacement(change.Action) || change.Replacement !== 'True') return NOT_APPLICABLE;
    return nonCompliant(
      'Replace',
      `${change.Action} replaces the resource (Replacement True)${replacementCauses(change, false)}.${replacementOutcome(change.PolicyAction)}`,
    );
  },
};
