import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandInput,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Change, ChangeSetReadError, evaluate, readChangeSet, UNSAFE } from '../src/index.js';
import { ARN, add, modify, nestedStack, remove } from './helpers.js';

const cfn = mockClient(CloudFormationClient);

type Pages = Record<string, DescribeChangeSetCommandOutput[]>;

/** Serves `pages[ChangeSetName][n]`, page n+1 being asked for with NextToken `p<n>`; counts calls in flight. */
function serve(pages: Pages, delayMs = 5) {
  const state = { inFlight: 0, maxInFlight: 0, calls: [] as DescribeChangeSetCommandInput[] };
  cfn.on(DescribeChangeSetCommand).callsFake(async (input: DescribeChangeSetCommandInput) => {
    state.calls.push(input);
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    state.inFlight -= 1;
    const list = pages[input.ChangeSetName ?? ''];
    const index = input.NextToken ? Number(input.NextToken.slice(1)) : 0;
    const output = list?.[index];
    if (!output)
      throw Object.assign(new Error(`Change set ${input.ChangeSetName} does not exist`), {
        name: 'ChangeSetNotFoundException',
      });
    return output;
  });
  return state;
}

/** A change set served in pages of the given changes. */
function paged(name: string, ...pageChanges: Change[][]): DescribeChangeSetCommandOutput[] {
  return pageChanges.map((changes, index) => ({
    $metadata: {},
    ChangeSetId: ARN(name),
    ChangeSetName: name,
    StackName: `stack-${name}`,
    Status: 'CREATE_COMPLETE',
    Changes: changes as DescribeChangeSetCommandOutput['Changes'],
    ...(index < pageChanges.length - 1 ? { NextToken: `p${index + 1}` } : {}),
  }));
}

describe('readChangeSet', () => {
  beforeEach(() => cfn.reset());
  afterEach(() => cfn.reset());

  it('follows NextToken and nested change sets two levels deep, one call per page, by ARN', async () => {
    const pages: Pages = {
      [ARN('root')]: paged(
        'root',
        [add('A'), nestedStack('Child', ARN('child'))],
        [nestedStack('Other', ARN('other'))],
      ),
      [ARN('child')]: paged('child', [nestedStack('Grandchild', ARN('grandchild'))], [add('B')], [add('C')]),
      [ARN('other')]: paged('other', [modify('Q', 'False')]),
      [ARN('grandchild')]: paged('grandchild', [remove('Deep')], [add('D')]),
    };
    const state = serve(pages);
    const client = new CloudFormationClient({ region: 'eu-west-1' });

    const result = await readChangeSet(client, { changeSetArn: ARN('root'), stackName: 'stack-root' });

    expect(result).toHaveLength(8);
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(8);
    expect(state.calls.every((c) => c.ChangeSetName?.startsWith('arn:aws:cloudformation:'))).toBe(true);
    expect(state.calls[0]).toEqual({ ChangeSetName: ARN('root'), StackName: 'stack-root' });
    expect(state.calls.filter((c) => c.ChangeSetName === ARN('child')).map((c) => c.NextToken)).toEqual([
      undefined,
      'p1',
      'p2',
    ]);
    const evaluation = evaluate(result);
    expect(evaluation.verdict).toBe(UNSAFE);
    expect(evaluation.findings.map((f) => [f.stackPath, f.logicalResourceId])).toEqual([
      [['Child', 'Grandchild'], 'Deep'],
    ]);
  });

  it('never describes the same change set twice, even when two changes point at it', async () => {
    const pages: Pages = {
      [ARN('root')]: paged(
        'root',
        [nestedStack('A', ARN('shared')), nestedStack('B', ARN('shared'))],
        [nestedStack('C', ARN('root'))],
      ),
      [ARN('shared')]: paged('shared', [add('X')]),
    };
    serve(pages);
    await readChangeSet(new CloudFormationClient({}), { changeSetArn: ARN('root') });
    expect(cfn.commandCalls(DescribeChangeSetCommand).map((c) => c.args[0].input.ChangeSetName)).toEqual([
      ARN('root'),
      ARN('shared'),
      ARN('root'),
    ]);
  });

  it('keeps at most `concurrency` calls in flight across the whole tree', async () => {
    const children = Array.from({ length: 12 }, (_, i) => `child${i}`);
    const pages: Pages = {
      [ARN('root')]: paged(
        'root',
        children.map((c) => nestedStack(c, ARN(c))),
      ),
    };
    for (const c of children) pages[ARN(c)] = paged(c, [add(`${c}-a`)], [add(`${c}-b`)]);
    const state = serve(pages, 10);

    await readChangeSet(new CloudFormationClient({}), { changeSetArn: ARN('root'), concurrency: 3 });

    expect(state.calls).toHaveLength(25);
    expect(state.maxInFlight).toBe(3);
  });

  it('defaults to 4 calls in flight', async () => {
    const children = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const pages: Pages = {
      [ARN('root')]: paged(
        'root',
        children.map((c) => nestedStack(c, ARN(c))),
      ),
    };
    for (const c of children) pages[ARN(c)] = paged(c, [add('x')]);
    const state = serve(pages, 10);
    await readChangeSet(new CloudFormationClient({}), { changeSetArn: ARN('root') });
    expect(state.maxInFlight).toBe(4);
  });

  it('propagates an SDK error with the change set and page, keeping it as the cause', async () => {
    const pages: Pages = { [ARN('root')]: paged('root', [nestedStack('Child', ARN('missing'))]) };
    serve(pages);
    const error = await readChangeSet(new CloudFormationClient({}), { changeSetArn: ARN('root') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChangeSetReadError);
    expect((error as ChangeSetReadError).message).toBe(
      `DescribeChangeSet of ${ARN('missing')} (page 1) failed: ChangeSetNotFoundException: Change set ${ARN('missing')} does not exist`,
    );
    expect((error as ChangeSetReadError).changeSetArn).toBe(ARN('missing'));
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('rejects a concurrency that is not a positive integer', async () => {
    await expect(
      readChangeSet(new CloudFormationClient({}), { changeSetArn: ARN('x'), concurrency: 0 }),
    ).rejects.toThrow(RangeError);
  });
});
