import { nonCompliant, type RuleResult } from './types.js';

export const CHANGE_SET_COMPLETE = 'change-set-complete';

/**
 * The StatusReason of a change set that failed only because the template and parameters match the
 * stack: "The submitted information didn't contain changes. …" or, with transforms,
 * "No updates are to be performed.".
 */
const NO_CHANGES = [
  /^The submitted information didn['\u2019]t contain changes/i,
  /^No updates are to be performed/i,
];

/** Whether a FAILED change set's StatusReason says only that there was nothing to change. */
export function isNoChangesReason(reason: string | null | undefined): boolean {
  if (typeof reason !== 'string' || reason.length === 0) return false;
  return NO_CHANGES.some((pattern) => pattern.test(reason));
}

interface StatusPage {
  readonly Status?: string | null | undefined;
  readonly StatusReason?: string | null | undefined;
}

function statusText(page: StatusPage): string {
  if (typeof page.Status !== 'string' || page.Status === '') return 'no Status';
  return page.StatusReason ? `status ${page.Status} (${page.StatusReason})` : `status ${page.Status}`;
}

/**
 * Requires a change set whose `Changes` are final: every given page in `CREATE_COMPLETE`, or every
 * page `FAILED` only because there was nothing to change. While a change set is `CREATE_PENDING` or
 * `CREATE_IN_PROGRESS` its `Changes` list is empty because CloudFormation has not computed it yet —
 * unknown, not "nothing"; any other status (a real failure, a deletion, none at all) cannot be
 * judged either.
 */
export function changeSetComplete(pages: readonly StatusPage[], changeSetLabel: string): RuleResult {
  if (pages.every((page) => page.Status === 'CREATE_COMPLETE')) return { status: 'compliant' };
  if (pages.every((page) => page.Status === 'FAILED' && isNoChangesReason(page.StatusReason))) {
    return { status: 'compliant' };
  }
  const bad = pages.find((page) => page.Status !== 'CREATE_COMPLETE') ?? pages[0] ?? {};
  const pending = bad.Status === 'CREATE_PENDING' || bad.Status === 'CREATE_IN_PROGRESS';
  return nonCompliant(
    'FailClosed',
    `Change set ${changeSetLabel} ${typeof bad.Status === 'string' && bad.Status !== '' ? 'is in' : 'has'} ${statusText(bad)}: ${
      pending
        ? 'CloudFormation has not finished computing its changes, so an empty or short list means "not known yet", not "nothing"'
        : 'only a CREATE_COMPLETE change set (or one FAILED because nothing changed) can be judged'
    }; failing closed.`,
  );
}
