import { nonCompliant, type RuleResult } from './types.js';

export const COMPLETE_PAGES = 'complete-pages';

/** Whether a page is the last of its change set: it hands on no `NextToken`. */
export function isLastPage(page: { readonly NextToken?: string | null | undefined }): boolean {
  return page.NextToken === undefined || page.NextToken === null || page.NextToken === '';
}

/**
 * Requires the pages of a change set to be whole and consistent: the last page is present (at least
 * one given page has no `NextToken`; when every page has one, a page and its changes are missing), and
 * no two different pages claim the same place (the same `NextToken`, or both last).
 * A missing first or middle page leaves no trace in the pages that remain: only the last is checked.
 */
export function completePages(
  pages: readonly { readonly NextToken?: string | null | undefined }[],
  changeSetLabel: string,
  conflictingPlaces: readonly string[] = [],
): RuleResult {
  if (conflictingPlaces.length > 0) {
    const where = conflictingPlaces.map((place) =>
      place === '' ? 'the last page' : `the page before NextToken ${JSON.stringify(place)}`,
    );
    return nonCompliant(
      'FailClosed',
      `Change set ${changeSetLabel}: two different pages were given for ${where.join(', ')}, so the input contradicts itself; failing closed.`,
    );
  }
  if (pages.some(isLastPage)) return { status: 'compliant' };
  return nonCompliant(
    'FailClosed',
    `Change set ${changeSetLabel}: every page given (${pages.length}) has a NextToken, so at least one page of changes is missing; failing closed.`,
  );
}
