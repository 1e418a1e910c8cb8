import { nonCompliant, type RuleResult } from './types.js';

export const COMPLETE_PAGES = 'complete-pages';

/**
 * Requires the last page of a change set to be present: at least one given page has no
 * `NextToken`. When every page has one, a page (and the changes on it) is missing.
 */
export function completePages(
  pages: readonly { readonly NextToken?: string | null | undefined }[],
  changeSetLabel: string,
): RuleResult {
  if (
    pages.some((page) => page.NextToken === undefined || page.NextToken === null || page.NextToken === '')
  ) {
    return { status: 'compliant' };
  }
  return nonCompliant(
    'FailClosed',
    `Change set ${changeSetLabel}: every page given (${pages.length}) has a NextToken, so at least one page of changes is missing; failing closed.`,
  );
}
