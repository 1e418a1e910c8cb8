import { toTaskError } from './errors.js';

/** Which paged call `pages` makes, for its error messages: e.g. `DescribeStackEvents` of a stack id. */
export interface PagedCall<T extends { readonly NextToken?: string | undefined }> {
  readonly operation: string;
  readonly subject: string;
  /** Sends the call for one page (`nextToken` undefined for the first). */
  readonly fetch: (nextToken: string | undefined) => Promise<T>;
  /** The most pages read. @default no bound */
  readonly maxPages?: number;
}

/**
 * Every page of a paged AWS call, in order, until the last one (no NextToken) or `maxPages`. An
 * error of any page becomes the task error the state machine matches (`toTaskError`), naming the
 * operation and its subject. Stop early by breaking out of the loop.
 */
export async function* pages<T extends { readonly NextToken?: string | undefined }>(
  call: PagedCall<T>,
): AsyncGenerator<T, void, undefined> {
  const maxPages = call.maxPages ?? Number.POSITIVE_INFINITY;
  let nextToken: string | undefined;
  for (let read = 0; read < maxPages; read += 1) {
    let page: T;
    try {
      page = await call.fetch(nextToken);
    } catch (error) {
      throw toTaskError(error, call.operation, call.subject);
    }
    yield page;
    nextToken = page.NextToken;
    if (nextToken === undefined) return;
  }
}
