import * as z from 'zod/mini';
import { PollSchema } from './poll.js';
import { ArnSchema, NameSchema, TimestampSchema } from './schemas-common.js';

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
