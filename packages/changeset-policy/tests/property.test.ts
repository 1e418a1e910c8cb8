import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Change,
  type ChangeSetPage,
  evaluate,
  type Finding,
  type Policy,
  SAFE,
  UNSAFE,
} from '../src/index.js';

// ------------------------------------------------------------------------------------------------
// The model: a graph of change sets. Each has a status, changes (leaf resource changes, and nested
// stacks that point at another change set of the graph: a fresh child, an ancestor (a cycle) or one
// already pointed at elsewhere (shared)), and a way of being paged: split over several pages, with
// the last page dropped, a page given twice, or two different versions of one page. A nested change
// set may be left out of the input. The model is serialized into DescribeChangeSet pages; the oracle
// below judges the model, not the pages.
// ------------------------------------------------------------------------------------------------

const ACTIONS = [
  'Add',
  'Modify',
  'Remove',
  'Import',
  'Dynamic',
  'SyncWithActual',
  'Delete',
  'remove',
  'Update',
  '',
];
const REPLACEMENTS = ['True', 'False', 'Conditional', undefined, null, 'Maybe', 'true'];
const POLICY_ACTIONS = [
  'Delete',
  'Retain',
  'Snapshot',
  'ReplaceAndDelete',
  'ReplaceAndRetain',
  'ReplaceAndSnapshot',
  undefined,
];
const NESTED = 'AWS::CloudFormation::Stack';
const TYPES = [
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::SQS::Queue',
  'AWS::DynamoDB::Table',
  'AWS::CDK::Metadata',
  NESTED,
];
const IDS = ['Bucket', 'TempLogs', 'Queue', 'Table', 'TempQueue', 'Data1', 'Data2', 'Child'];
/** Globs use only what the oracle models: literals, `*` and `?`. */
const GLOBS_TYPE = [
  '*',
  'AWS::S3::*',
  'AWS::Logs::LogGroup',
  'AWS::*::Table',
  'AWS::SQS::Queu?',
  'AWS::CloudFormation::*',
  NESTED,
];
const GLOBS_ID = ['*', 'Temp*', 'Data?', 'Queue', 'Bucket', 'Child', 'C*'];
const KINDS = ['Remove', 'Replace', 'ConditionalReplace', 'Dynamic'] as const;
type Kind = (typeof KINDS)[number] | 'FailClosed';
const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";
const STATUSES: readonly { Status?: string; StatusReason?: string }[] = [
  { Status: 'CREATE_COMPLETE' },
  { Status: 'CREATE_COMPLETE' },
  { Status: 'CREATE_COMPLETE' },
  { Status: 'CREATE_COMPLETE' },
  { Status: 'CREATE_COMPLETE' },
  { Status: 'CREATE_PENDING' },
  { Status: 'CREATE_IN_PROGRESS' },
  { Status: 'FAILED', StatusReason: NO_CHANGES },
  { Status: 'FAILED', StatusReason: 'No updates are to be performed.' },
  { Status: 'FAILED', StatusReason: 'Template error: unresolved resource dependency' },
  { Status: 'DELETE_COMPLETE' },
  {},
];

interface Leaf {
  readonly kind: 'leaf';
  readonly change: Change;
}
/** A nested stack's change; `target` is filled in when the graph is built. */
interface Ref {
  readonly kind: 'ref';
  readonly logicalId: string;
  readonly action: string;
  readonly replacement: string | undefined;
  readonly policyAction: string | undefined;
  /** fresh: a child built for it; ancestor / shared: redirected to an existing change set. */
  readonly link: 'fresh' | 'ancestor' | 'shared';
  readonly pick: number;
  readonly child: TreeSpec | undefined;
}
interface TreeSpec {
  readonly entries: readonly (Leaf | Ref)[];
  readonly status: number;
  readonly pageCount: number;
  readonly dropLastPage: boolean;
  readonly duplicatePage: boolean;
  readonly conflictingPage: boolean;
  readonly omitted: boolean;
}

interface Node {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly spec: TreeSpec;
  readonly parent: number | undefined;
  readonly changes: (Leaf | (Ref & { target: number }))[];
}

const rarely = (n: number) => fc.integer({ min: 1, max: n }).map((k) => k === 1);

const leafArb: fc.Arbitrary<Leaf> = fc
  .record({
    shape: fc.constantFrom(
      'resource',
      'resource',
      'resource',
      'resource',
      'resource',
      'resource',
      'no-rc',
      'other-type',
    ),
    action: fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...ACTIONS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    ),
    noAction: rarely(20),
    replacement: fc.constantFrom(...REPLACEMENTS),
    policyAction: fc.constantFrom(...POLICY_ACTIONS),
    type: fc.constantFrom(...TYPES),
    id: fc.constantFrom(...IDS),
  })
  .map(({ shape, action, noAction, replacement, policyAction, type, id }) => {
    if (shape === 'no-rc') return { kind: 'leaf' as const, change: { Type: 'Resource' } };
    const resourceChange = {
      ...(noAction ? {} : { Action: action }),
      LogicalResourceId: id,
      ResourceType: type,
      ...(replacement === undefined ? {} : { Replacement: replacement }),
      ...(policyAction === undefined ? {} : { PolicyAction: policyAction }),
      Scope: [],
      Details: [],
    };
    return {
      kind: 'leaf' as const,
      change: { Type: shape === 'other-type' ? 'Hook' : 'Resource', ResourceChange: resourceChange },
    };
  });

const treeArb = (depth: number): fc.Arbitrary<TreeSpec> => {
  const ref: fc.Arbitrary<Ref> = fc.record({
    kind: fc.constant('ref' as const),
    logicalId: fc.constantFrom('Child', 'Network', 'Data'),
    action: fc.constantFrom('Modify', 'Modify', 'Modify', 'Add', 'Dynamic', 'Remove'),
    replacement: fc.constantFrom('False', 'False', 'False', 'True', 'Conditional', undefined),
    policyAction: fc.constantFrom(undefined, 'Delete', 'Retain'),
    link: fc.constantFrom('fresh', 'fresh', 'fresh', 'fresh', 'ancestor', 'shared'),
    pick: fc.nat(),
    child: fc.constant(null).chain(() => treeArb(depth + 1)),
  });
  const entry: fc.Arbitrary<Leaf | Ref> =
    depth >= 3 ? leafArb : fc.oneof({ weight: 7, arbitrary: leafArb }, { weight: 2, arbitrary: ref });
  return fc.record({
    entries: fc.array(entry, { maxLength: 7 }),
    status: fc.nat({ max: STATUSES.length - 1 }),
    pageCount: fc.integer({ min: 1, max: 3 }),
    dropLastPage: rarely(12),
    duplicatePage: rarely(8),
    conflictingPage: rarely(20),
    omitted: rarely(12),
  });
};

/** Builds the graph: fresh children become nodes; ancestor and shared links point at existing nodes. */
function buildGraph(root: TreeSpec): Node[] {
  const nodes: Node[] = [];
  const add = (spec: TreeSpec, parent: number | undefined, ancestors: readonly number[]): number => {
    const index = nodes.length;
    const node: Node = {
      index,
      id: `arn:aws:cloudformation:us-east-1:111111111111:changeSet/cs${index}/${index}`,
      name: `cs${index}`,
      spec,
      parent,
      changes: [],
    };
    nodes.push(node);
    for (const entry of spec.entries) {
      if (entry.kind === 'leaf') {
        node.changes.push(entry);
        continue;
      }
      // Cycles never point at the root, so the root stays the one change set nothing points at.
      const nonRootAncestors = [...ancestors, index].filter((i) => i !== 0);
      if (entry.link === 'ancestor' && nonRootAncestors.length > 0) {
        node.changes.push({
          ...entry,
          target: nonRootAncestors[entry.pick % nonRootAncestors.length] as number,
        });
      } else if (entry.link === 'shared' && nodes.length > 1) {
        node.changes.push({ ...entry, target: 1 + (entry.pick % (nodes.length - 1)) });
      } else {
        const child = add(entry.child ?? { ...root, entries: [] }, index, [...ancestors, index]);
        node.changes.push({ ...entry, target: child });
      }
    }
    return index;
  };
  add({ ...root, omitted: false }, undefined, []);
  return nodes;
}

function changeOf(nodes: readonly Node[], entry: Node['changes'][number]): Change {
  if (entry.kind === 'leaf') return entry.change;
  return {
    Type: 'Resource',
    ResourceChange: {
      Action: entry.action,
      LogicalResourceId: entry.logicalId,
      ResourceType: NESTED,
      ...(entry.replacement === undefined ? {} : { Replacement: entry.replacement }),
      ...(entry.policyAction === undefined ? {} : { PolicyAction: entry.policyAction }),
      ChangeSetId: (nodes[entry.target] as Node).id,
    },
  };
}

/** The changes of a node split into its pages (before any is dropped), in emission order. */
function chunks<T>(items: readonly T[], pageCount: number): T[][] {
  const size = Math.ceil(items.length / pageCount) || 1;
  return Array.from({ length: pageCount }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function toPages(nodes: readonly Node[], reverse: boolean): ChangeSetPage[] {
  const pages: ChangeSetPage[] = [];
  for (const node of nodes) {
    if (node.spec.omitted) continue;
    const status = STATUSES[node.spec.status] as (typeof STATUSES)[number];
    const own: ChangeSetPage[] = chunks(node.changes, node.spec.pageCount).map((changes, i, all) => ({
      ChangeSetId: node.id,
      ChangeSetName: node.name,
      ...status,
      Changes: changes.map((entry) => changeOf(nodes, entry)),
      ...(i < all.length - 1 ? { NextToken: `token-${i + 1}` } : {}),
    }));
    if (node.spec.dropLastPage && own.length > 1) own.pop();
    const first = own[0] as ChangeSetPage;
    if (node.spec.duplicatePage) own.push(structuredClone(first));
    if (node.spec.conflictingPage)
      own.push({ ...structuredClone(first), Description: 'another version of this page' } as ChangeSetPage);
    pages.push(...own);
  }
  return reverse ? pages.reverse() : pages;
}

// ------------------------------------------------------------------------------------------------
// The oracle: a plain restatement of the policy over the model, with its own glob matching and a
// policy built by hand (never through parsePolicy).
// ------------------------------------------------------------------------------------------------

function globMatches(glob: string, value: string): boolean {
  let pattern = '^';
  for (const ch of glob)
    pattern += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${pattern}$`).test(value);
}

function oracleAllows(
  policy: Policy,
  kind: Kind,
  type: string,
  id: string,
  policyAction: string | undefined,
): boolean {
  if (kind === 'FailClosed') return false;
  if (type === 'AWS::CDK::Metadata') return true;
  const nested = type === NESTED;
  if (kind === 'ConditionalReplace' && policy.conditionalReplacement === 'safe' && !nested) return true;
  if (kind === 'Remove' && policyAction === 'Retain' && policy.allowRetainedRemovals) return true;
  return policy.allow.some(
    (rule) =>
      rule.actions.includes(kind) &&
      (!nested || rule.resourceType === NESTED) &&
      (rule.resourceType === undefined || globMatches(rule.resourceType, type)) &&
      (rule.logicalResourceId === undefined || globMatches(rule.logicalResourceId, id)),
  );
}

interface Expected {
  readonly findings: string[];
  readonly allowed: string[];
}

const key = (path: readonly string[], id: string, rule: string) => `${path.join('/')}|${id}|${rule}`;
const KNOWN = new Set(['Add', 'Modify', 'Remove', 'Import', 'Dynamic', 'SyncWithActual']);

/** The rules a single resource change breaks, with the kind of each. */
function brokenRules(change: Change): [string, Kind][] {
  const rc = change.ResourceChange;
  if (change.Type !== 'Resource' || !rc) return [['resource-change-present', 'FailClosed']];
  const out: [string, Kind][] = [];
  const action = rc.Action;
  const replacement = rc.Replacement;
  const byReplacement = action === 'Modify' || action === 'SyncWithActual';
  if (typeof action !== 'string' || !KNOWN.has(action)) out.push(['known-action', 'FailClosed']);
  if (byReplacement) {
    const documented = replacement === 'True' || replacement === 'False' || replacement === 'Conditional';
    const missing = replacement === undefined || replacement === null;
    if (!documented && !(missing && action === 'SyncWithActual'))
      out.push(['known-replacement', 'FailClosed']);
  }
  if (action === 'Remove') out.push(['no-removal', 'Remove']);
  if (byReplacement && replacement === 'True') out.push(['no-replacement', 'Replace']);
  if (byReplacement && replacement === 'Conditional')
    out.push(['no-conditional-replacement', 'ConditionalReplace']);
  if (action === 'Dynamic') out.push(['no-dynamic', 'Dynamic']);
  if (rc.ResourceType === NESTED && action === 'Modify' && !rc.ChangeSetId)
    out.push(['nested-changes-visible', 'FailClosed']);
  return out;
}

function oracle(nodes: readonly Node[], policy: Policy, reverse: boolean): Expected {
  const expected: Expected = { findings: [], allowed: [] };
  const present = nodes.filter((node) => !node.spec.omitted);
  const inInput = new Set(present.map((node) => node.index));
  /**
   * The changes the input shows of a node, in input order: its pages (the last one dropped), then the
   * copies of its first page; reversed with the input; the first page given for each place counts.
   */
  const visible = (node: Node) => {
    const pages = chunks(node.changes, node.spec.pageCount).map((changes, place) => ({ place, changes }));
    if (node.spec.dropLastPage && pages.length > 1) pages.pop();
    const first = pages[0] as (typeof pages)[number];
    if (node.spec.duplicatePage) pages.push(first);
    if (node.spec.conflictingPage) pages.push(first);
    const seen = new Set<number>();
    return (reverse ? pages.reverse() : pages)
      .filter(({ place }) => !seen.has(place) && seen.add(place))
      .flatMap(({ changes }) => changes);
  };
  const order = reverse ? [...present].reverse() : present;
  const referenced = new Set<number>();
  for (const node of order) {
    for (const entry of visible(node))
      if (entry.kind === 'ref' && entry.target !== node.index) referenced.add(entry.target);
  }
  const push = (
    path: readonly string[],
    id: string,
    rule: string,
    kind: Kind,
    type: string,
    policyAction: string | undefined,
  ) => {
    (oracleAllows(policy, kind, type, id, policyAction) ? expected.allowed : expected.findings).push(
      key(path, id, rule),
    );
  };
  const visited = new Set<number>();
  const walk = (
    node: Node,
    path: readonly string[],
    subjectPath: readonly string[],
    subjectId: string,
    ancestors: Set<number>,
  ) => {
    visited.add(node.index);
    ancestors.add(node.index);
    const status = STATUSES[node.spec.status] as (typeof STATUSES)[number];
    const complete =
      status.Status === 'CREATE_COMPLETE' ||
      (status.Status === 'FAILED' &&
        /didn't contain changes|No updates are to be performed/.test(status.StatusReason ?? ''));
    if (!complete) push(subjectPath, subjectId, 'change-set-complete', 'FailClosed', NESTED, undefined);
    if (node.spec.conflictingPage || (node.spec.dropLastPage && node.spec.pageCount > 1)) {
      push(subjectPath, subjectId, 'complete-pages', 'FailClosed', NESTED, undefined);
    }
    for (const entry of visible(node)) {
      const change = changeOf(nodes, entry);
      const rc = change.ResourceChange;
      const id = rc?.LogicalResourceId ?? '(unknown)';
      const type = rc?.ResourceType ?? '(unknown)';
      for (const [rule, kind] of brokenRules(change))
        push(path, id, rule, kind, type, rc?.PolicyAction ?? undefined);
      if (entry.kind !== 'ref') continue;
      if (ancestors.has(entry.target)) push(path, id, 'acyclic-nesting', 'FailClosed', type, undefined);
      else if (!inInput.has(entry.target))
        push(path, id, 'nested-change-set-given', 'FailClosed', type, undefined);
      else if (visited.has(entry.target)) push(path, id, 'single-parent', 'FailClosed', type, undefined);
      else walk(nodes[entry.target] as Node, [...path, id], path, id, ancestors);
    }
    ancestors.delete(node.index);
  };
  for (const node of order)
    if (!referenced.has(node.index) && !visited.has(node.index)) walk(node, [], [], node.name, new Set());
  for (const node of order) if (!visited.has(node.index)) walk(node, [], [], node.name, new Set());
  expected.findings.sort();
  expected.allowed.sort();
  return expected;
}

const policyArb: fc.Arbitrary<Policy> = fc.record({
  version: fc.constant(1 as const),
  allow: fc.array(
    fc.record(
      {
        resourceType: fc.constantFrom(...GLOBS_TYPE),
        logicalResourceId: fc.constantFrom(...GLOBS_ID),
        actions: fc.uniqueArray(fc.constantFrom(...KINDS), { minLength: 1 }),
      },
      { requiredKeys: ['actions'] },
    ),
    { maxLength: 3 },
  ),
  allowRetainedRemovals: fc.boolean(),
  conditionalReplacement: fc.constantFrom('safe' as const, 'unsafe' as const),
});

const DEFAULT: Policy = {
  version: 1,
  allow: [],
  allowRetainedRemovals: false,
  conditionalReplacement: 'unsafe',
};

const keysOf = (findings: readonly Finding[]) =>
  findings.map((f) => key(f.stackPath, f.logicalResourceId, f.rule)).sort();

describe('evaluate against an independent oracle (fast-check)', { timeout: 180_000 }, () => {
  it('gives exactly the oracle findings for random change-set graphs, pages, statuses and policies', () => {
    fc.assert(
      fc.property(treeArb(0), policyArb, fc.boolean(), (tree, policy, reverse) => {
        const nodes = buildGraph(tree);
        const result = evaluate(toPages(nodes, reverse), policy);
        const expected = oracle(nodes, policy, reverse);
        expect(keysOf(result.findings)).toEqual(expected.findings);
        expect(keysOf(result.allowed)).toEqual(expected.allowed);
        expect(result.verdict).toBe(expected.findings.length === 0 ? SAFE : UNSAFE);
        for (const allowed of result.allowed) expect(allowed.allowedBy).toBeDefined();
      }),
      { numRuns: 4000 },
    );
  });

  it('with the default policy, gives exactly the oracle findings', () => {
    fc.assert(
      fc.property(treeArb(0), fc.boolean(), (tree, reverse) => {
        const nodes = buildGraph(tree);
        const result = evaluate(toPages(nodes, reverse), DEFAULT);
        const expected = oracle(nodes, DEFAULT, reverse);
        expect(keysOf(result.findings)).toEqual(expected.findings);
        // The default policy allows nothing but the CDK's analytics resource.
        expect(keysOf(result.allowed)).toEqual(expected.allowed);
        for (const allowed of result.allowed) expect(allowed.resourceType).toBe('AWS::CDK::Metadata');
      }),
      { numRuns: 2000 },
    );
  });

  it('is safe when every change is benign or allowed by an allow-everything policy (nested stacks named)', () => {
    const everything: Policy = {
      version: 1,
      allow: [{ actions: [...KINDS] }, { resourceType: NESTED, actions: [...KINDS] }],
      allowRetainedRemovals: false,
      conditionalReplacement: 'unsafe',
    };
    const benignLeaf = fc
      .record({
        action: fc.constantFrom('Add', 'Import', 'Modify', 'Remove', 'Dynamic', 'SyncWithActual'),
        replacement: fc.constantFrom('True', 'False', 'Conditional'),
        policyAction: fc.constantFrom(...POLICY_ACTIONS),
        type: fc.constantFrom(...TYPES.filter((t) => t !== NESTED)),
        id: fc.constantFrom(...IDS),
      })
      .map(({ action, replacement, policyAction, type, id }) => ({
        Type: 'Resource',
        ResourceChange: {
          Action: action,
          Replacement: replacement,
          PolicyAction: policyAction,
          ResourceType: type,
          LogicalResourceId: id,
        },
      }));
    fc.assert(
      fc.property(
        fc.array(benignLeaf, { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        (changes, pageCount) => {
          const pages: ChangeSetPage[] = chunks(changes, pageCount).map((slice, i, all) => ({
            ChangeSetId: 'arn:aws:cloudformation:us-east-1:1:changeSet/x/1',
            Status: 'CREATE_COMPLETE',
            Changes: slice,
            ...(i < all.length - 1 ? { NextToken: `t${i}` } : {}),
          }));
          const result = evaluate(pages, everything);
          expect(result.verdict).toBe(SAFE);
          expect(result.allowed.length).toBe(
            changes.filter(
              ({ ResourceChange: { Action: a, Replacement: r } }) =>
                a === 'Remove' ||
                a === 'Dynamic' ||
                ((a === 'Modify' || a === 'SyncWithActual') && r !== 'False'),
            ).length,
          );
        },
      ),
      { numRuns: 1500 },
    );
  });
});
