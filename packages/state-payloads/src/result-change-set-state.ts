import * as z from 'zod/mini';
import { PollSchema } from './poll.js';
import { ArnSchema, NameSchema } from './schemas-common.js';

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
