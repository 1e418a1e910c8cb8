import * as z from 'zod/mini';
import { PollSchema } from './poll.js';
import { ArnSchema, NameSchema } from './schemas-common.js';

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
