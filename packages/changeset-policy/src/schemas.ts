import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini keeps bundles that use these schemas small, but ships no error messages of its own: use
// zod's English ones, as the classic build does when imported.
z.config(en());

// ---------------------------------------------------------------------------------------------
// Input: DescribeChangeSet responses (PascalCase, as the SDK v3 and `aws cloudformation
// describe-change-set` return them). Unknown keys are accepted (AWS adds fields over time); only
// the fields the policy relies on are validated. `null` is accepted wherever a field is optional,
// because tools other than the SDK print absent fields as null.
// ---------------------------------------------------------------------------------------------

const optionalString = z.nullish(z.string());

/** `ResourceChangeDetail.Target` (the fields the policy reads). */
export const ResourceTargetDefinitionSchema = z.object({
  Attribute: optionalString,
  Name: optionalString,
  RequiresRecreation: optionalString,
});

/** One `ResourceChange.Details[]` entry. */
export const ResourceChangeDetailSchema = z.object({
  Target: z.nullish(ResourceTargetDefinitionSchema),
  Evaluation: optionalString,
  ChangeSource: optionalString,
  CausingEntity: optionalString,
});

/** `Change.ResourceChange`. */
export const ResourceChangeSchema = z.object({
  Action: optionalString,
  LogicalResourceId: optionalString,
  PhysicalResourceId: optionalString,
  ResourceType: optionalString,
  Replacement: optionalString,
  PolicyAction: optionalString,
  Scope: z.nullish(z.array(z.string())),
  Details: z.nullish(z.array(ResourceChangeDetailSchema)),
  ChangeSetId: optionalString,
});

/** One entry of `Changes[]`. */
export const ChangeSchema = z.object({
  Type: optionalString,
  ResourceChange: z.nullish(ResourceChangeSchema),
});

/** One DescribeChangeSet response (one page of a change set). */
export const ChangeSetPageSchema = z
  .object({
    ChangeSetId: optionalString,
    ChangeSetName: optionalString,
    StackId: optionalString,
    StackName: optionalString,
    Status: optionalString,
    StatusReason: optionalString,
    ExecutionStatus: optionalString,
    ParentChangeSetId: optionalString,
    RootChangeSetId: optionalString,
    NextToken: optionalString,
    Changes: z.nullish(z.array(ChangeSchema)),
  })
  .check(
    z.refine((page) => typeof page.ChangeSetId === 'string' || typeof page.ChangeSetName === 'string', {
      message:
        'is not a DescribeChangeSet response: it has neither ChangeSetId nor ChangeSetName (expected the output of `aws cloudformation describe-change-set` or the SDK v3 DescribeChangeSetCommand)',
    }),
  );

export type ResourceTargetDefinition = z.infer<typeof ResourceTargetDefinitionSchema>;
export type ResourceChangeDetail = z.infer<typeof ResourceChangeDetailSchema>;
export type ResourceChange = z.infer<typeof ResourceChangeSchema>;
export type Change = z.infer<typeof ChangeSchema>;
/** One DescribeChangeSet response. The SDK's `DescribeChangeSetCommandOutput` is assignable to it. */
export type ChangeSetPage = z.infer<typeof ChangeSetPageSchema>;

// ---------------------------------------------------------------------------------------------
// Policy (version 1). Strict: an unknown key is an error, so a typo never silently weakens it.
// ---------------------------------------------------------------------------------------------

/** What a policy `allow` rule can make safe. */
export const AllowableActionSchema = z.enum(['Remove', 'Replace', 'ConditionalReplace', 'Dynamic']);
export type AllowableAction = z.infer<typeof AllowableActionSchema>;

export const AllowRuleSchema = z.strictObject({
  /** picomatch glob matched against `ResourceType`, e.g. `AWS::Logs::*`. @default - any type */
  resourceType: z.optional(z.string().check(z.minLength(1))),
  /** picomatch glob matched against `LogicalResourceId`, e.g. `Temp*`. @default - any logical id */
  logicalResourceId: z.optional(z.string().check(z.minLength(1))),
  /** The kinds of destructive change this rule makes safe. */
  actions: z.array(AllowableActionSchema).check(z.minLength(1)),
});
export type AllowRule = z.infer<typeof AllowRuleSchema>;

export const PolicySchema = z.strictObject({
  version: z.literal(1),
  /** @default [] */
  allow: z._default(z.array(AllowRuleSchema), []),
  /** A `Remove` whose `PolicyAction` is `Retain` is safe. @default false */
  allowRetainedRemovals: z._default(z.boolean(), false),
  /** How `Replacement: "Conditional"` is judged. @default 'unsafe' */
  conditionalReplacement: z._default(z.enum(['unsafe', 'safe']), 'unsafe'),
});
/** A parsed policy (defaults applied). */
export type Policy = z.infer<typeof PolicySchema>;
/** A policy as written in a file (defaults not yet applied). */
export type PolicyInput = z.input<typeof PolicySchema>;

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

export const SAFE = 'CAN-SAFELY-UPDATE-EXISTING-STACK';
export const UNSAFE = 'RESOURCES-BEING-DELETED-OR-REPLACED';

export const VerdictSchema = z.enum([SAFE, UNSAFE]);
export type Verdict = z.infer<typeof VerdictSchema>;

export const FindingSchema = z.object({
  /** Logical ids of the nested stacks from the root stack; `[]` for the root stack's own resources. */
  stackPath: z.array(z.string()),
  logicalResourceId: z.string(),
  resourceType: z.string(),
  action: z.string(),
  replacement: z.nullable(z.string()),
  policyAction: z.nullable(z.string()),
  /** A sentence a person understands. */
  reason: z.string(),
  /** Id of the rule that produced the finding (see src/rules). */
  rule: z.string(),
  /** On allowed findings only: which part of the policy made the change safe. */
  allowedBy: z.optional(z.string()),
});
export type Finding = z.infer<typeof FindingSchema>;

export const EvaluationSchema = z.object({
  verdict: VerdictSchema,
  /** What makes the change set unsafe. Empty exactly when the verdict is safe. */
  findings: z.array(FindingSchema),
  /** Destructive changes that the policy made safe, each with `allowedBy`. */
  allowed: z.array(FindingSchema),
  /** Remarks that do not change the verdict (e.g. a change set in status FAILED). */
  notes: z._default(z.array(z.string()), []),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;
