import * as z from 'zod/mini';
import { PollSchema } from './poll.js';

// The results of the tasks, but the inspection's (which carries the policy's findings): in a module
// of their own so that a Lambda bundle builds only the schemas it uses when it starts.

export const NameSchema = z.string().check(z.minLength(1));
export const ArnSchema = z.string().check(z.startsWith('arn:', 'must be an ARN'));
export const TimestampSchema = z.iso.datetime({ offset: true });
/** The execution name, unique per pipeline job. */
export const DeploymentIdSchema = z.string().check(z.minLength(1), z.maxLength(80));

/** What "Check Stack Existence" found, and where the state machine goes next ("Does Stack Exist?"). */
export const StackCheckSchema = z.strictObject({
  stackName: NameSchema,
  exists: z.boolean(),
  stackId: z.optional(ArnSchema),
  status: z.optional(z.string()),
  /** CREATE for a stack left in REVIEW_IN_PROGRESS (treated as missing), UPDATE otherwise. */
  changeSetType: z.enum(['CREATE', 'UPDATE']),
  next: z.enum(['create', 'recreate', 'update', 'wait', 'refuse']),
  /** Why `next` was chosen, in words (shown when the deployment is refused). */
  reason: z.string(),
  /** Present while waiting for a busy (*_IN_PROGRESS) stack to settle. */
  poll: z.optional(PollSchema),
});
export type StackCheck = z.infer<typeof StackCheckSchema>;

/** A stack operation in flight (create, update by change set, delete for recovery) and its progress. */
export const StackOperationSchema = z.strictObject({
  kind: z.enum(['create', 'update', 'delete']),
  stackName: NameSchema,
  stackId: ArnSchema,
  startedAt: TimestampSchema,
  status: z.optional(z.string()),
  outcome: z.enum(['in-progress', 'succeeded', 'failed']),
  /** CloudFormation's reason when it failed: the first failed resource's status reason. */
  reason: z.optional(z.string()),
  poll: PollSchema,
});
export type StackOperation = z.infer<typeof StackOperationSchema>;

/** The change set of this deployment, always addressed by ARN once created. */
export const ChangeSetStateSchema = z.strictObject({
  changeSetName: NameSchema,
  /** Absent only when CreateChangeSet itself answered that there is nothing to update. */
  changeSetArn: z.optional(ArnSchema),
  stackName: NameSchema,
  stackId: z.optional(ArnSchema),
  changeSetType: z.enum(['CREATE', 'UPDATE']),
  status: z.string(),
  next: z.enum(['wait', 'inspect', 'no-changes', 'failed']),
  reason: z.optional(z.string()),
  poll: PollSchema,
});
export type ChangeSetState = z.infer<typeof ChangeSetStateSchema>;

export const ChangeSetDeletionSchema = z.strictObject({
  changeSetArn: z.optional(ArnSchema),
  /** False when there was nothing to delete (no change set was created, or it was already gone). */
  deleted: z.boolean(),
});
export type ChangeSetDeletion = z.infer<typeof ChangeSetDeletionSchema>;

/** Set by "Prepare Blue/Green Stack": the new stack created instead of updating the old one. */
export const BlueGreenSchema = z.strictObject({ stackName: NameSchema });
export type BlueGreen = z.infer<typeof BlueGreenSchema>;

/** A Catch's ResultPath: Step Functions' error name and cause. */
export const CaughtErrorSchema = z.looseObject({ Error: z.string(), Cause: z.optional(z.string()) });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;
