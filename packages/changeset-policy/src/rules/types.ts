import type { AllowableAction, ResourceChange } from '../schemas.js';

/**
 * What a finding is about. The four allowable kinds can be made safe by a policy; `FailClosed`
 * (the input cannot be judged: unknown action, missing page, …) never can.
 */
export type FindingKind = AllowableAction | 'FailClosed';

/** The tri-state result of a rule, as in cdk-nag: compliant, non-compliant (with why), or not applicable. */
export type RuleResult =
  | { readonly status: 'not-applicable' }
  | { readonly status: 'compliant' }
  | { readonly status: 'non-compliant'; readonly kind: FindingKind; readonly reason: string };

/** A check of one `ResourceChange`. */
export interface ResourceRule {
  /** Stable id, reported as `Finding.rule`. */
  readonly id: string;
  /** One line: what the rule requires. */
  readonly requires: string;
  readonly check: (change: ResourceChange) => RuleResult;
}

export const NOT_APPLICABLE: RuleResult = { status: 'not-applicable' };

export function nonCompliant(kind: FindingKind, reason: string): RuleResult {
  return { status: 'non-compliant', kind, reason };
}

/** The actions DescribeChangeSet documents for `ResourceChange.Action`. */
export const KNOWN_ACTIONS: ReadonlySet<string> = new Set([
  'Add',
  'Modify',
  'Remove',
  'Import',
  'Dynamic',
  'SyncWithActual',
]);

/** The values DescribeChangeSet documents for `ResourceChange.Replacement`. */
export const KNOWN_REPLACEMENTS: ReadonlySet<string> = new Set(['True', 'False', 'Conditional']);

export const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

/**
 * The CDK's analytics resource (`CDKMetadata`): it holds no data, only the constructs an app uses, so
 * replacing, removing or re-evaluating it loses nothing. CloudFormation may report a change to it as a
 * conditional replacement.
 */
export const CDK_METADATA_TYPE = 'AWS::CDK::Metadata';

/** What an allowed `AWS::CDK::Metadata` change reports as `allowedBy`. */
export const CDK_METADATA_ALLOWANCE = 'AWS::CDK::Metadata holds no data';

/** Actions judged by their `Replacement` value. */
export function judgedByReplacement(action: string | null | undefined): boolean {
  return action === 'Modify' || action === 'SyncWithActual';
}
