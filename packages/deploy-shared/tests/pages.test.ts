import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { describe, expect, it } from 'vitest';
import { CloudFormationError, RetryableError } from '../src/errors.js';
import { pages } from '../src/pages.js';

/** A paged call over `count` pages, recording the tokens it was called with. */
function pagedCall(count: number) {
  const tokens: (string | undefined)[] = [];
  const fetch = async (nextToken: string | undefined) => {
    tokens.push(nextToken);
    const index = nextToken === undefined ? 0 : Number(nextToken.slice(1));
    return { items: [index], ...(index + 1 < count ? { NextToken: `p${index + 1}` } : {}) };
  };
  return { tokens, fetch };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

describe('pages', () => {
  it('reads every page in order, passing each NextToken on', async () => {
    // Prepare
    const call = pagedCall(3);

    // Act
    const read = await collect(pages({ operation: 'ListThings', subject: 'stack s', fetch: call.fetch }));

    // Assess
    expect(read.map((page) => page.items)).toEqual([[0], [1], [2]]);
    expect(call.tokens).toEqual([undefined, 'p1', 'p2']);
  });

  it('stops at maxPages', async () => {
    const call = pagedCall(10);
    const read = await collect(
      pages({ operation: 'ListThings', subject: 's', fetch: call.fetch, maxPages: 2 }),
    );
    expect(read).toHaveLength(2);
    expect(call.tokens).toEqual([undefined, 'p1']);
  });

  it('reads no further page once the loop breaks', async () => {
    // Prepare
    const call = pagedCall(5);

    // Act
    for await (const page of pages({ operation: 'ListThings', subject: 's', fetch: call.fetch })) {
      if (page.items[0] === 1) break;
    }

    // Assess
    expect(call.tokens).toEqual([undefined, 'p1']);
  });

  it('maps an error of any page to the task error, naming the operation and subject', async () => {
    // Prepare
    let calls = 0;
    const failing = (name: string, status: number) => async (nextToken: string | undefined) => {
      calls += 1;
      if (nextToken !== undefined) throw awsError(name, 'no', status);
      return { NextToken: 'p1' };
    };

    // Act
    const throttled = collect(
      pages({ operation: 'ListThings', subject: 'stack s', fetch: failing('Throttling', 400) }),
    );
    const denied = collect(
      pages({ operation: 'ListThings', subject: 'stack s', fetch: failing('AccessDenied', 403) }),
    );

    // Assess
    await expect(throttled).rejects.toBeInstanceOf(RetryableError);
    await expect(denied).rejects.toBeInstanceOf(CloudFormationError);
    await expect(denied).rejects.toThrow(/ListThings.*stack s/);
    expect(calls).toBe(4);
  });
});
