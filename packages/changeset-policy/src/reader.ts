import type {
  CloudFormationClient,
  DescribeChangeSetCommandInput,
  DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import pLimit from 'p-limit';
import { ChangeSetReadError } from './errors.js';

export interface ReadChangeSetOptions {
  /** ARN of the (root) change set. A bare name works too when `stackName` is given. */
  readonly changeSetArn: string;
  /** @default - none; needed only when `changeSetArn` is a name rather than an ARN */
  readonly stackName?: string;
  /** How many DescribeChangeSet calls may be in flight at once, across the whole tree. @default 4 */
  readonly concurrency?: number;
}

function errorText(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/**
 * Reads every page of a change set and of every nested change set (recursively) with
 * DescribeChangeSet: one call per page, following `NextToken`, always addressing the change set
 * by ARN, never describing the same change set twice. The client is injected.
 * @returns the pages in the order read (root first); feed them to `evaluate`.
 * @throws ChangeSetReadError naming the change set and page when a call fails (the SDK error is the cause).
 */
export async function readChangeSet(
  client: CloudFormationClient,
  options: ReadChangeSetOptions,
): Promise<DescribeChangeSetCommandOutput[]> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer (got ${concurrency})`);
  }
  const limit = pLimit(concurrency);
  const seen = new Set<string>();
  const pages: DescribeChangeSetCommandOutput[] = [];

  const readTree = async (changeSetName: string, stackName: string | undefined): Promise<void> => {
    const children: Promise<void>[] = [];
    let nextToken: string | undefined;
    let pageNumber = 0;
    do {
      pageNumber += 1;
      const input: DescribeChangeSetCommandInput = {
        ChangeSetName: changeSetName,
        ...(stackName ? { StackName: stackName } : {}),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
      const page = pageNumber;
      let output: DescribeChangeSetCommandOutput;
      try {
        output = await limit(() => client.send(new DescribeChangeSetCommand(input)));
      } catch (error) {
        throw new ChangeSetReadError(
          `DescribeChangeSet of ${changeSetName} (page ${page}) failed: ${errorText(error)}`,
          changeSetName,
          { cause: error },
        );
      }
      pages.push(output);
      if (output.ChangeSetId) seen.add(output.ChangeSetId);
      for (const change of output.Changes ?? []) {
        const nested = change.ResourceChange?.ChangeSetId;
        if (!nested || seen.has(nested)) continue;
        seen.add(nested);
        const child = readTree(nested, undefined);
        // Awaited below with Promise.all; this keeps an early failure from counting as unhandled meanwhile.
        child.catch(() => undefined);
        children.push(child);
      }
      nextToken = output.NextToken || undefined;
    } while (nextToken);
    await Promise.all(children);
  };

  seen.add(options.changeSetArn);
  await readTree(options.changeSetArn, options.stackName);
  return pages;
}
