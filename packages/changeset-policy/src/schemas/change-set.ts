import * as z from 'zod/mini';
import './zod-config.js';

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
    /** AWS always sends it (an empty list when nothing changes): a page without it is not a DescribeChangeSet result. */
    Changes: z.array(ChangeSchema),
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
