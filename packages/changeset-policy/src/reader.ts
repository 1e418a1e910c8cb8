import type {
  CloudFormationClient,
  DescribeChangeSetCommandInput,
  DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import pLimit from 'p-limit';
import { ChangeSetInputError, ChangeSetReadError } from './errors.js';
import { parseChangeSetPages } from './input.js';
import type { ChangeSetPage } from './schemas.js';

/**
 * At most this many pages of one change set are read. A template declares at most 500 resources
 * (CloudFormation quotas), so a change set lists at most about 1,000 changes (every old resource
 * removed, every new one added); DescribeChangeSet hands back about 100 changes a page, so real change
 * sets need about ten pages. A thousand pages means an endpoint that never stops paging.
 */
export const MAX_PAGES_PER_CHANGE_SET = 1000;

/** At most this many DescribeChangeSet calls for one change set with all its nested change sets. */
export const MAX_CALLS_PER_TREE = 10_000;

export interface ReadChangeSetOptions {
  /** ARN of the (root) change set. A bare name works too when `stackName` is given. */
  readonly changeSetArn: string;
  /** @default - none; needed only when `changeSetArn` is a name rather than an ARN */
  readonly stackName?: string;
  /** How many DescribeChangeSet calls may be in flight at once, across the whole tree. @default 4 */
  readonly concurrency?: number;
  /** @default MAX_PAGES_PER_CHANGE_SET */
  readonly maxPagesPerChangeSet?: number;
  /** @default MAX_CALLS_PER_TREE */
  readonly maxCalls?: number;
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer (got ${value})`);
  }
  return value;
}

/**
 * Reads every page of a change set and of every nested change set with DescribeChangeSet: one call
 * per page, following `NextToken`, always addressing the change set by ARN, never describing the same
 * change set twice. The client is injected. Every response is checked to be a DescribeChangeSet
 * result (it has a `Changes` list). The reading is bounded: a `NextToken` handed back twice for one
 * change set, more than `maxPagesPerChangeSet` pages, or more than `maxCalls` calls in all stop it
 * with an error, never an endless loop.
 * @returns the pages in the order read (root first); feed them to `evaluate`.
 * @throws ChangeSetReadError naming the change set and page: when a call fails (the SDK error is the
 *   cause), when a response is not a DescribeChangeSet result, or when the paging does not end.
 */
export async function readChangeSet(
  client: CloudFormationClient,
  options: ReadChangeSetOptions,
): Promise<ChangeSetPage[]> {
  const concurrency = positiveInteger('concurrency', options.concurrency ?? 4);
  const maxPages = positiveInteger(
    'maxPagesPerChangeSet',
    options.maxPagesPerChangeSet ?? MAX_PAGES_PER_CHANGE_SET,
  );
  const maxCalls = positiveInteger('maxCalls', options.maxCalls ?? MAX_CALLS_PER_TREE);
  const limit = pLimit(concurrency);
  const seen = new Set<string>();
  const pages: ChangeSetPage[] = [];
  let calls = 0;
  /** The first error ends the whole reading: calls still queued behind the concurrency limit are not made. */
  let failure: unknown;
  const describe = (input: DescribeChangeSetCommandInput) =>
    limit(() => {
      if (failure !== undefined) throw failure;
      return client.send(new DescribeChangeSetCommand(input));
    });

  const readTree = async (changeSetName: string, stackName: string | undefined): Promise<void> => {
    const children: Promise<void>[] = [];
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    let pageNumber = 0;
    do {
      pageNumber += 1;
      const page = pageNumber;
      if (page > maxPages) {
        throw new ChangeSetReadError(
          `DescribeChangeSet of ${changeSetName} was still handing back a NextToken after ${maxPages} pages; no real change set has that many (a template declares at most 500 resources), so the reading stops`,
          changeSetName,
        );
      }
      calls += 1;
      if (calls > maxCalls) {
        throw new ChangeSetReadError(
          `reading change set ${options.changeSetArn} and its nested change sets took more than ${maxCalls} DescribeChangeSet calls; the reading stops`,
          changeSetName,
        );
      }
      const input: DescribeChangeSetCommandInput = {
        ChangeSetName: changeSetName,
        ...(stackName ? { StackName: stackName } : {}),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
      let output: DescribeChangeSetCommandOutput;
      try {
        output = await describe(input);
      } catch (error) {
        if (error === failure) throw error;
        throw new ChangeSetReadError(
          `DescribeChangeSet of ${changeSetName} (page ${page}) failed: ${errorText(error)}`,
          changeSetName,
          { cause: error },
        );
      }
      let checked: ChangeSetPage;
      try {
        [checked] = parseChangeSetPages(output, `DescribeChangeSet of ${changeSetName} (page ${page})`) as [
          ChangeSetPage,
        ];
      } catch (error) {
        if (!(error instanceof ChangeSetInputError)) throw error;
        throw new ChangeSetReadError(error.message, changeSetName);
      }
      pages.push(checked);
      if (checked.ChangeSetId) seen.add(checked.ChangeSetId);
      for (const change of checked.Changes) {
        const nested = change.ResourceChange?.ChangeSetId;
        if (!nested || seen.has(nested)) continue;
        seen.add(nested);
        const child = readOrStop(nested, undefined);
        // Awaited below with Promise.all; this keeps an early failure from counting as unhandled meanwhile.
        child.catch(() => undefined);
        children.push(child);
      }
      nextToken = checked.NextToken || undefined;
      if (nextToken !== undefined) {
        if (tokens.has(nextToken)) {
          throw new ChangeSetReadError(
            `DescribeChangeSet of ${changeSetName} handed back the NextToken ${JSON.stringify(nextToken.slice(0, 80))} a second time (page ${page}); following it would never end, so the reading stops`,
            changeSetName,
          );
        }
        tokens.add(nextToken);
      }
    } while (nextToken);
    await Promise.all(children);
  };

  const readOrStop = async (changeSetName: string, stackName: string | undefined): Promise<void> => {
    try {
      await readTree(changeSetName, stackName);
    } catch (error) {
      failure ??= error;
      throw error;
    }
  };
  seen.add(options.changeSetArn);
  await readOrStop(options.changeSetArn, options.stackName);
  return pages;
}
