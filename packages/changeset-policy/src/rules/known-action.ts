import { KNOWN_ACTIONS, nonCompliant, type ResourceRule } from './types.js';

/** Requires `Action` to be one of the documented change actions (fail closed on anything else). */
export const knownAction: ResourceRule = {
  id: 'known-action',
  requires: 'Action is Add, Modify, Remove, Import, Dynamic or SyncWithActual',
  check(change) {
    const action = change.Action;
    if (typeof action === 'string' && KNOWN_ACTIONS.has(action)) return { status: 'compliant' };
    return nonCompliant(
      'FailClosed',
      typeof action === 'string'
        ? `Action ${JSON.stringify(action)} is not a documented CloudFormation change action, so its effect is unknown; failing closed.`
        : 'The change has no Action, so its effect is unknown; failing closed.',
    );
  },
};
