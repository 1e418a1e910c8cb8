import { KNOWN_REPLACEMENTS, NOT_APPLICABLE, nonCompliant, type ResourceRule } from './types.js';

/**
 * Requires a `Modify` to state whether it replaces the resource (`Replacement` True, False or
 * Conditional); a `SyncWithActual` may omit it (AWS documents it as changing metadata only).
 */
export const knownReplacement: ResourceRule = {
  id: 'known-replacement',
  requires: 'Modify states a documented Replacement value',
  check(change) {
    const { Action: action, Replacement: replacement } = change;
    if (action !== 'Modify' && action !== 'SyncWithActual') return NOT_APPLICABLE;
    if (typeof replacement === 'string' && KNOWN_REPLACEMENTS.has(replacement))
      return { status: 'compliant' };
    if (replacement === undefined || replacement === null) {
      if (action === 'SyncWithActual') return { status: 'compliant' };
      return nonCompliant(
        'FailClosed',
        'Modify without a Replacement value: whether the resource is replaced is unknown; failing closed.',
      );
    }
    return nonCompliant(
      'FailClosed',
      `Replacement ${JSON.stringify(replacement)} is not a documented value (True, False, Conditional); failing closed.`,
    );
  },
};
