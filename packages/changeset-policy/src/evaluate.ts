import { ChangeSetInputError } from './errors.js';
import { type ChangeSetGraph, type ChangeSetGroup, groupChangeSets } from './input.js';
import { type CompiledPolicy, compilePolicy, DEFAULT_POLICY } from './policy.js';
import {
  ACYCLIC_NESTING,
  acyclicNesting,
  CHANGE_SET_COMPLETE,
  COMPLETE_PAGES,
  changeSetComplete,
  completePages,
  isNoChangesReason,
  NESTED_CHANGE_SET_GIVEN,
  nestedChangeSetGiven,
  RESOURCE_CHANGE_PRESENT,
  RESOURCE_RULES,
  resourceChangePresent,
  SINGLE_PARENT,
  singleParent,
} from './rules/index.js';
import { NESTED_STACK_TYPE, type RuleResult } from './rules/types.js';
import { type ChangeSetPage, type Evaluation, type Finding, type Policy, SAFE, UNSAFE } from './schemas.js';

const UNKNOWN = '(unknown)';

/** Where a change set sits: the path of its stack, and the change in the parent that points at it. */
/**
 * A stack path as a chain from the innermost nested stack to the root (`undefined`): shared by every
 * change set below it, so a deep tree costs memory in proportion to its size, not its depth squared.
 * It becomes an array only in a finding.
 */
interface StackPath {
  readonly parent: StackPath | undefined;
  readonly logicalResourceId: string;
}

function pathArray(path: StackPath | undefined): string[] {
  const out: string[] = [];
  for (let at = path; at !== undefined; at = at.parent) out.push(at.logicalResourceId);
  return out.reverse();
}

interface Placement {
  readonly stackPath: StackPath | undefined;
  /** The parent's change for this nested stack; undefined for a root change set. */
  readonly via?: {
    readonly parentPath: StackPath | undefined;
    readonly logicalResourceId: string;
    readonly action: string;
  };
}

/** What a finding is about (everything but the rule's verdict). */
interface Subject {
  readonly stackPath: StackPath | undefined;
  readonly logicalResourceId: string;
  readonly resourceType: string;
  readonly action: string;
  readonly replacement: string | null;
  readonly policyAction: string | null;
}

interface Collector {
  readonly policy: CompiledPolicy;
  readonly findings: Finding[];
  readonly allowed: Finding[];
  readonly notes: string[];
}

function record(out: Collector, result: RuleResult, rule: string, base: Subject): void {
  if (result.status !== 'non-compliant') return;
  const finding: Finding = { ...base, stackPath: pathArray(base.stackPath), reason: result.reason, rule };
  const allowance = out.policy.allows(
    result.kind,
    base.resourceType,
    base.logicalResourceId,
    base.policyAction,
  );
  if (allowance.allowed) out.allowed.push({ ...finding, allowedBy: allowance.by });
  else out.findings.push(finding);
}

/** A finding about a whole change set sits where its stack sits: at the nested stack's logical id in the parent. */
function changeSetSubject(group: ChangeSetGroup, placement: Placement): Subject {
  if (placement.via) {
    return {
      stackPath: placement.via.parentPath,
      logicalResourceId: placement.via.logicalResourceId,
      resourceType: NESTED_STACK_TYPE,
      action: placement.via.action,
      replacement: null,
      policyAction: null,
    };
  }
  return {
    stackPath: undefined,
    logicalResourceId: group.stackName ?? group.name ?? group.id,
    resourceType: NESTED_STACK_TYPE,
    action: 'Unknown',
    replacement: null,
    policyAction: null,
  };
}

function label(group: ChangeSetGroup): string {
  const name = group.name && group.name !== group.id ? `${group.name} (${group.id})` : group.id;
  return group.stackName ? `${name} of stack ${group.stackName}` : name;
}

/** A change set being walked: where it sits and how far through its changes the walk is. */
interface Frame {
  readonly group: ChangeSetGroup;
  readonly placement: Placement;
  next: number;
}

/**
 * Walks a change set and the nested change sets it points at, depth first, in the order of their
 * changes. The walk keeps its own stack (no recursion), so any depth of nesting is judged rather
 * than crashing, and each change set is walked once: a nested change set that a second change
 * points at, or that points back at one of its ancestors, is a finding, never a second walk.
 */
function walk(graph: ChangeSetGraph, root: ChangeSetGroup, visited: Set<string>, out: Collector): void {
  const ancestors = new Set<string>();
  const stack: Frame[] = [];
  const enter = (group: ChangeSetGroup, placement: Placement) => {
    visited.add(group.id);
    ancestors.add(group.id);
    const subject = changeSetSubject(group, placement);
    if (group.status === 'FAILED' && isNoChangesReason(group.statusReason)) {
      out.notes.push(`Change set ${label(group)} is in status FAILED: ${group.statusReason}`);
    }
    record(out, changeSetComplete(group.pages, label(group)), CHANGE_SET_COMPLETE, subject);
    record(out, completePages(group.pages, label(group), group.conflictingPages), COMPLETE_PAGES, subject);
    stack.push({ group, placement, next: 0 });
  };
  enter(root, { stackPath: undefined });

  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const { group, placement } = frame;
    const change = group.changes[frame.next];
    if (change === undefined) {
      ancestors.delete(group.id);
      stack.pop();
      continue;
    }
    frame.next += 1;
    const rc = change.ResourceChange;
    const base: Subject = {
      stackPath: placement.stackPath,
      logicalResourceId: rc?.LogicalResourceId ?? UNKNOWN,
      resourceType: rc?.ResourceType ?? UNKNOWN,
      action: rc?.Action ?? UNKNOWN,
      replacement: rc?.Replacement ?? null,
      policyAction: rc?.PolicyAction ?? null,
    };
    const present = resourceChangePresent(change);
    if (present.status === 'non-compliant' || !rc) {
      record(out, present, RESOURCE_CHANGE_PRESENT, base);
      continue;
    }
    for (const rule of RESOURCE_RULES) record(out, rule.check(rc), rule.id, base);

    const nestedId = rc.ChangeSetId;
    if (typeof nestedId !== 'string' || nestedId === '') continue;
    const cycle = acyclicNesting(nestedId, ancestors);
    if (cycle.status === 'non-compliant') {
      record(out, cycle, ACYCLIC_NESTING, base);
      continue;
    }
    const nested = graph.changeSets.get(nestedId);
    if (!nested) {
      record(out, nestedChangeSetGiven(nestedId, graph.changeSets), NESTED_CHANGE_SET_GIVEN, base);
      continue;
    }
    if (visited.has(nestedId)) {
      record(out, singleParent(nestedId), SINGLE_PARENT, base);
      continue;
    }
    enter(nested, {
      stackPath: { parent: placement.stackPath, logicalResourceId: base.logicalResourceId },
      via: {
        parentPath: placement.stackPath,
        logicalResourceId: base.logicalResourceId,
        action: base.action,
      },
    });
  }
}

function isGraph(input: readonly ChangeSetPage[] | ChangeSetGraph): input is ChangeSetGraph {
  return !Array.isArray(input);
}

/**
 * Judges change sets against a policy. `input` is the DescribeChangeSet pages (several pages per
 * change set, nested change sets included) or their grouping from `groupChangeSets`.
 * Pure: no I/O, no AWS SDK.
 * @throws ChangeSetInputError when the input holds no change set at all (nothing judged is never "safe").
 */
export function evaluate(
  input: readonly ChangeSetPage[] | ChangeSetGraph,
  policy: Policy = DEFAULT_POLICY,
): Evaluation {
  const graph = isGraph(input) ? input : groupChangeSets(input);
  if (graph.changeSets.size === 0)
    throw new ChangeSetInputError('no change set to evaluate: the input holds no page');
  const out: Collector = { policy: compilePolicy(policy), findings: [], allowed: [], notes: [] };
  const visited = new Set<string>();
  const start = (id: string) => {
    const group = graph.changeSets.get(id);
    if (group && !visited.has(id)) walk(graph, group, visited, out);
  };
  for (const id of graph.roots) start(id);
  // Change sets that only point at each other (a cycle) have no root: judge them too, never skip them.
  for (const id of graph.changeSets.keys()) start(id);
  return {
    verdict: out.findings.length === 0 ? SAFE : UNSAFE,
    findings: out.findings,
    allowed: out.allowed,
    notes: out.notes,
  };
}
