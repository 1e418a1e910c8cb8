import { FindingSchema, VerdictSchema } from '@cfn-safe-deploy/changeset-policy';
import * as z from 'zod/mini';
import { ExecutionInputSchema } from './input.js';
import { PollSchema } from './poll.js';

/** Findings kept in the state are capped: Step Functions payloads are limited to 256 KB. */
export const MAX_FINDINGS_IN_STATE = 50;

const NameSchema = z.string().check(z.minLength(1));
const ArnSchema = z.string().check(z.startsWith('arn:', 'must be an ARN'));
const TimestampSchema = z.iso.datetime({ offset: true });

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

/** The change-set policy's judgement ("Inspect Change Set Changes"). */
export const InspectionSchema = z.strictObject({
  changeSetArn: ArnSchema,
  verdict: VerdictSchema,
  /** The first MAX_FINDINGS_IN_STATE findings; `findingCount` has the total. */
  findings: z.array(FindingSchema),
  findingCount: z.number().check(z.int(), z.minimum(0)),
  allowed: z.array(FindingSchema),
  allowedCount: z.number().check(z.int(), z.minimum(0)),
  changeCount: z.number().check(z.int(), z.minimum(0)),
  /** Set when the change is unsafe and the input asks for blue/green: the stack to create instead. */
  blueGreenStackName: z.optional(NameSchema),
});
export type Inspection = z.infer<typeof InspectionSchema>;

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

/**
 * The state every Task receives: the execution input under `input`, the deployment id (the
 * execution name, unique per pipeline job) and the results of the tasks so far, each under its key.
 */
export const DeployStateSchema = z.object({
  input: ExecutionInputSchema,
  deploymentId: z.string().check(z.minLength(1), z.maxLength(80)),
  stack: z.optional(StackCheckSchema),
  changeSet: z.optional(ChangeSetStateSchema),
  inspection: z.optional(InspectionSchema),
  changeSetDeletion: z.optional(ChangeSetDeletionSchema),
  blueGreen: z.optional(BlueGreenSchema),
  operation: z.optional(StackOperationSchema),
  error: z.optional(CaughtErrorSchema),
});
export type DeployState = z.infer<typeof DeployStateSchema>;

/** The input each Task needs: the deploy state with the results that task depends on made required. */
export const TaskInputSchemas = {
  checkStackExistence: DeployStateSchema,
  createStack: z.extend(DeployStateSchema, { stack: StackCheckSchema }),
  deleteStack: z.extend(DeployStateSchema, { stack: StackCheckSchema }),
  getStackStatus: z.extend(DeployStateSchema, { operation: StackOperationSchema }),
  createChangeSet: z.extend(DeployStateSchema, { stack: StackCheckSchema }),
  getChangeSetStatus: z.extend(DeployStateSchema, { changeSet: ChangeSetStateSchema }),
  inspectChangeSet: z.extend(DeployStateSchema, { changeSet: ChangeSetStateSchema }),
  executeChangeSet: z.extend(DeployStateSchema, {
    changeSet: ChangeSetStateSchema,
    inspection: InspectionSchema,
  }),
  deleteChangeSet: z.extend(DeployStateSchema, { changeSet: ChangeSetStateSchema }),
} as const;
export type TaskName = keyof typeof TaskInputSchemas;
export type TaskInput<T extends TaskName> = z.infer<(typeof TaskInputSchemas)[T]>;

/** The result each Task returns, written by the state machine under `ResultKeys[task]`. */
export const TaskResultSchemas = {
  checkStackExistence: StackCheckSchema,
  createStack: StackOperationSchema,
  deleteStack: StackOperationSchema,
  getStackStatus: StackOperationSchema,
  createChangeSet: ChangeSetStateSchema,
  getChangeSetStatus: ChangeSetStateSchema,
  inspectChangeSet: InspectionSchema,
  executeChangeSet: StackOperationSchema,
  deleteChangeSet: ChangeSetDeletionSchema,
} as const satisfies Record<TaskName, z.ZodMiniType>;
export type TaskResult<T extends TaskName> = z.infer<(typeof TaskResultSchemas)[T]>;

/** Where in the deploy state each task's result goes (the Task state's ResultPath, without `$.`). */
export const ResultKeys = {
  checkStackExistence: 'stack',
  createStack: 'operation',
  deleteStack: 'operation',
  getStackStatus: 'operation',
  createChangeSet: 'changeSet',
  getChangeSetStatus: 'changeSet',
  inspectChangeSet: 'inspection',
  executeChangeSet: 'operation',
  deleteChangeSet: 'changeSetDeletion',
} as const satisfies Record<TaskName, keyof DeployState>;
