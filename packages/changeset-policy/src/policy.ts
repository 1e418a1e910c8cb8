import picomatch from 'picomatch';
import type { z } from 'zod';
import { PolicyError } from './errors.js';
import { describeIssue } from './issues.js';
import {
  CDK_METADATA_ALLOWANCE,
  CDK_METADATA_TYPE,
  type FindingKind,
  NESTED_STACK_TYPE,
} from './rules/types.js';
import { type AllowableAction, AllowRuleSchema, type Policy, PolicySchema } from './schemas.js';

/**
 * The policy used when none is given: the schema's defaults (every removal, replacement and
 * Dynamic change is unsafe).
 */
export const DEFAULT_POLICY: Policy = Object.freeze(PolicySchema.parse({ version: 1 }));

function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return Object.keys(PolicySchema.shape);
  if (path.length === 2 && path[0] === 'allow') return Object.keys(AllowRuleSchema.shape);
  return [];
}

function describePolicyIssue(issue: z.core.$ZodIssue): string {
  const sentence = describeIssue(issue);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path);
    return known.length > 0 ? `${sentence}; expected only ${known.join(', ')}` : sentence;
  }
  return sentence;
}

/**
 * Validates a policy value (e.g. the parsed JSON of a policy file) and applies the defaults.
 * @throws PolicyError naming every bad key or value and what was expected.
 */
export function parsePolicy(value: unknown): Policy {
  const result = PolicySchema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map(describePolicyIssue);
  throw new PolicyError(`invalid policy: ${problems.join('; ')}`, { cause: result.error });
}

/** The decision of the policy about one destructive finding. */
export type Allowance = { readonly allowed: false } | { readonly allowed: true; readonly by: string };

const NOT_ALLOWED: Allowance = { allowed: false };

/** A policy with its globs compiled once, ready to judge many findings. */
export interface CompiledPolicy {
  readonly allows: (
    kind: FindingKind,
    resourceType: string,
    logicalResourceId: string,
    policyAction: string | null,
  ) => Allowance;
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  const rules = policy.allow.map((rule, index) => ({
    by: `allow[${index}]`,
    actions: new Set<AllowableAction>(rule.actions),
    namesNestedStacks: rule.resourceType === NESTED_STACK_TYPE,
    type: rule.resourceType === undefined ? undefined : picomatch(rule.resourceType),
    id: rule.logicalResourceId === undefined ? undefined : picomatch(rule.logicalResourceId),
  }));
  return {
    allows(kind, resourceType, logicalResourceId, policyAction) {
      if (kind === 'FailClosed') return NOT_ALLOWED;
      // Under every policy: the CDK's analytics resource holds no data.
      if (resourceType === CDK_METADATA_TYPE) return { allowed: true, by: CDK_METADATA_ALLOWANCE };
      // Removing, replacing or dynamically changing a nested stack reaches every resource in it: only a
      // rule whose resourceType is exactly AWS::CloudFormation::Stack allows that, never a glob such as
      // `*` or `AWS::CloudFormation::*`, a rule with no type, or `conditionalReplacement: safe`.
      const nestedStack = resourceType === NESTED_STACK_TYPE;
      if (kind === 'ConditionalReplace' && policy.conditionalReplacement === 'safe' && !nestedStack) {
        return { allowed: true, by: 'conditionalReplacement: safe' };
      }
      if (kind === 'Remove' && policyAction === 'Retain' && policy.allowRetainedRemovals) {
        return { allowed: true, by: 'allowRetainedRemovals' };
      }
      for (const rule of rules) {
        if (!rule.actions.has(kind)) continue;
        if (nestedStack && !rule.namesNestedStacks) continue;
        if (rule.type && !rule.type(resourceType)) continue;
        if (rule.id && !rule.id(logicalResourceId)) continue;
        return { allowed: true, by: rule.by };
      }
      return NOT_ALLOWED;
    },
  };
}
