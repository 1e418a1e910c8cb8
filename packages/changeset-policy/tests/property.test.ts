import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Change,
  type ChangeSetPage,
  evaluate,
  type Policy,
  parsePolicy,
  SAFE,
  UNSAFE,
} from '../src/index.js';

// ------------------------------------------------------------------------------------------------
// Generators: change-set trees (nesting up to 3 levels), split into pages, with pages or nested
// change sets sometimes left out, every action (and unknown strings), every Replacement value
// (and missing / unknown), every PolicyAction, and random policies.
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
const TYPES = [
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::SQS::Queue',
  'AWS::DynamoDB::Table',
  'AWS::CloudFormation::Stack',
];
const IDS = ['Bucket', 'TempLogs', 'Queue', 'Table', 'TempQueue', 'Data1', 'Data2'];
const GLOBS_TYPE = [
  '*',
  'AWS::S3::*',
  'AWS::Logs::LogGroup',
  'AWS::*::Table',
  'AWS::SQS::Queu?',
  'AWS::CloudFormation::*',
];
const GLOBS_ID = ['*', 'Temp*', 'Data?', 'Queue', 'Bucket'];
const KINDS = ['Remove', 'Replace', 'ConditionalReplace', 'Dynamic'] as const;

interface LeafChange {
  readonly kind: 'leaf';
  readonly change: Change;
}
interface NestedChange {
  readonly kind: 'nested';
  readonly logicalId: string;
  readonly action: string;
  readonly tree: Tree;
  /** The nested change set is left out of the input. */
  readonly omitted: boolean;
}
interface Tree {
  readonly changes: readonly (LeafChange | NestedChange)[];
  readonly pageCount: number;
  /** The last page is left out when there are several (every given page then has a NextToken). */
  readonly dropLastPage: boolean;
}

const optional = <T>(values: readonly T[]) => fc.constantFrom(...values);
/** true about once in `n` runs. */
const rarely = (n: number) => fc.integer({ min: 1, max: n }).map((k) => k === 1);

const leafArb: fc.Arbitrary<LeafChange> = fc
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
      { weight: 9, arbitrary: optional(ACTIONS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    ),
    noAction: rarely(20),
    replacement: optional(REPLACEMENTS),
    policyAction: optional(POLICY_ACTIONS),
    type: optional(TYPES),
    id: optional(IDS),
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

const treeArb = (depth: number): fc.Arbitrary<Tree> => {
  const entry: fc.Arbitrary<LeafChange | NestedChange> =
    depth >= 3
      ? leafArb
      : fc.oneof(
          { weight: 8, arbitrary: leafArb },
          {
            weight: 1,
            arbitrary: fc.record({
              kind: fc.constant('nested' as const),
              logicalId: fc.constantFrom('Child', 'Network', 'Data'),
              action: fc.constantFrom('Modify', 'Modify', 'Add', 'Dynamic'),
              tree: fc.constant(null).chain(() => treeArb(depth + 1)),
              omitted: rarely(7),
            }),
          },
        );
  return fc.record({
    changes: fc.array(entry, { maxLength: 8 }),
    pageCount: fc.integer({ min: 1, max: 3 }),
    dropLastPage: rarely(10),
  });
};

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
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
  })
  .map((p) => parsePolicy({ version: 1, ...p }));

/** Serializes a tree into DescribeChangeSet pages (each change set split over `pageCount` pages). */
function toPages(tree: Tree): ChangeSetPage[] {
  const pages: ChangeSetPage[] = [];
  let counter = 0;
  const emit = (node: Tree): string => {
    counter += 1;
    const id = `arn:aws:cloudformation:us-east-1:111111111111:changeSet/cs${counter}/${counter}`;
    const changes: Change[] = node.changes.map((entry) => {
      if (entry.kind === 'leaf') return entry.change;
      const nestedId = emit(entry.tree);
      if (entry.omitted) removeChangeSet(nestedId);
      return {
        Type: 'Resource',
        ResourceChange: {
          Action: entry.action,
          LogicalResourceId: entry.logicalId,
          ResourceType: 'AWS::CloudFormation::Stack',
          Replacement: 'False',
          ChangeSetId: nestedId,
        },
      };
    });
    const size = Math.ceil(changes.length / node.pageCount) || 1;
    const own: ChangeSetPage[] = [];
    for (let i = 0; i < node.pageCount; i += 1) {
      own.push({
        ChangeSetId: id,
        ChangeSetName: `cs${counter}`,
        Changes: changes.slice(i * size, (i + 1) * size),
      });
    }
    own.forEach((page, i) => {
      if (i < own.length - 1) (page as { NextToken?: string }).NextToken = `token-${i + 1}`;
    });
    if (node.dropLastPage && own.length > 1) own.pop();
    pages.push(...own);
    return id;
  };
  const removeChangeSet = (id: string) => {
    for (let i = pages.length - 1; i >= 0; i -= 1) if (pages[i]?.ChangeSetId === id) pages.splice(i, 1);
  };
  emit(tree);
  return pages;
}

// ------------------------------------------------------------------------------------------------
// The oracle: a separate, deliberately plain restatement of the policy over the *tree* (not the
// pages), with its own glob matching.
// ------------------------------------------------------------------------------------------------

function globMatches(glob: string, value: string): boolean {
  let pattern = '^';
  for (const ch of glob)
    pattern += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${pattern}$`).test(value);
}

function oracleAllows(policy: Policy, kind: (typeof KINDS)[number], type: string, id: string): boolean {
  return policy.allow.some(
    (rule) =>
      rule.actions.includes(kind) &&
      (rule.resourceType === undefined || globMatches(rule.resourceType, type)) &&
      (rule.logicalResourceId === undefined || globMatches(rule.logicalResourceId, id)),
  );
}

/** True when the oracle finds something unsafe that the policy does not allow. */
function oracleUnsafe(tree: Tree, policy: Policy): boolean {
  if (tree.dropLastPage && tree.pageCount > 1) return true;
  for (const entry of tree.changes) {
    if (entry.kind === 'nested') {
      if (entry.omitted) return true;
      if (
        entry.action === 'Dynamic' &&
        !oracleAllows(policy, 'Dynamic', 'AWS::CloudFormation::Stack', entry.logicalId)
      ) {
        return true;
      }
      if (oracleUnsafe(entry.tree, policy)) return true;
      continue;
    }
    const { change } = entry;
    const rc = change.ResourceChange;
    if (change.Type !== 'Resource' || !rc) return true;
    const type = rc.ResourceType ?? '(unknown)';
    const id = rc.LogicalResourceId ?? '(unknown)';
    const replacement = rc.Replacement;
    const byReplacement = (missingIsSafe: boolean): boolean => {
      if (replacement === 'False') return false;
      if (replacement === undefined || replacement === null) return !missingIsSafe;
      if (replacement === 'True') return !oracleAllows(policy, 'Replace', type, id);
      if (replacement === 'Conditional') {
        return (
          policy.conditionalReplacement !== 'safe' && !oracleAllows(policy, 'ConditionalReplace', type, id)
        );
      }
      return true;
    };
    switch (rc.Action) {
      case 'Add':
      case 'Import':
        break;
      case 'Modify':
        // A nested stack updated without its nested change set cannot be judged.
        if (type === 'AWS::CloudFormation::Stack') return true;
        if (byReplacement(false)) return true;
        break;
      case 'SyncWithActual':
        if (byReplacement(true)) return true;
        break;
      case 'Remove':
        if (
          !(policy.allowRetainedRemovals && rc.PolicyAction === 'Retain') &&
          !oracleAllows(policy, 'Remove', type, id)
        ) {
          return true;
        }
        break;
      case 'Dynamic':
        if (!oracleAllows(policy, 'Dynamic', type, id)) return true;
        break;
      default:
        return true;
    }
  }
  return false;
}

const FAIL_CLOSED_RULES = new Set([
  'known-action',
  'known-replacement',
  'complete-pages',
  'nested-change-set-given',
  'nested-changes-visible',
  'resource-change-present',
  'acyclic-nesting',
]);

describe('evaluate against an independent oracle (fast-check)', { timeout: 120_000 }, () => {
  it('gives the oracle verdict for random change-set trees, pages, and policies', () => {
    fc.assert(
      fc.property(treeArb(0), policyArb, fc.boolean(), (tree, policy, reversePages) => {
        const pages = toPages(tree);
        const input = reversePages ? [...pages].reverse() : pages;
        const result = evaluate(input, policy);
        const expected = oracleUnsafe(tree, policy) ? UNSAFE : SAFE;
        expect(result.verdict).toBe(expected);
        expect(result.findings.length === 0).toBe(result.verdict === SAFE);
        for (const allowed of result.allowed) {
          expect(allowed.allowedBy).toBeDefined();
          expect(FAIL_CLOSED_RULES.has(allowed.rule)).toBe(false);
        }
      }),
      { numRuns: 7000 },
    );
  });

  it('is never safe with the default policy when a destructive or unjudgeable change is present', () => {
    const strict = parsePolicy({ version: 1 });
    fc.assert(
      fc.property(treeArb(0), (tree) => {
        const result = evaluate(toPages(tree), strict);
        if (oracleUnsafe(tree, strict)) expect(result.verdict).toBe(UNSAFE);
        else expect(result.findings).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('is safe when every change is benign or allowed by an allow-everything policy', () => {
    const everything = parsePolicy({
      version: 1,
      allow: [{ actions: ['Remove', 'Replace', 'ConditionalReplace', 'Dynamic'] }],
    });
    const benignLeaf = fc
      .record({
        action: fc.constantFrom('Add', 'Import', 'Modify', 'Remove', 'Dynamic', 'SyncWithActual'),
        replacement: fc.constantFrom('True', 'False', 'Conditional'),
        policyAction: optional(POLICY_ACTIONS),
        type: fc.constantFrom(...TYPES.filter((t) => t !== 'AWS::CloudFormation::Stack')),
        id: fc.constantFrom(...IDS),
        pages: fc.integer({ min: 1, max: 4 }),
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
          const size = Math.ceil(changes.length / pageCount) || 1;
          const pages: ChangeSetPage[] = Array.from({ length: pageCount }, (_, i) => ({
            ChangeSetId: 'arn:aws:cloudformation:us-east-1:1:changeSet/x/1',
            Changes: changes.slice(i * size, (i + 1) * size),
            ...(i < pageCount - 1 ? { NextToken: `t${i}` } : {}),
          }));
          const result = evaluate(pages, everything);
          expect(result.verdict).toBe(SAFE);
          expect(result.allowed.length).toBe(
            changes.filter((c) => {
              const a = c.ResourceChange.Action;
              const r = c.ResourceChange.Replacement;
              return (
                a === 'Remove' ||
                a === 'Dynamic' ||
                ((a === 'Modify' || a === 'SyncWithActual') && r !== 'False')
              );
            }).length,
          );
        },
      ),
      { numRuns: 1500 },
    );
  });
});
