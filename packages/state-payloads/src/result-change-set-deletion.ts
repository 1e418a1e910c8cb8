import * as z from 'zod/mini';
import { ArnSchema } from './schemas-common.js';

export const ChangeSetDeletionSchema = z.strictObject({
  changeSetArn: z.optional(ArnSchema),
  /** False when there was nothing to delete (no change set was created, or it was already gone). */
  deleted: z.boolean(),
});
export type ChangeSetDeletion = z.infer<typeof ChangeSetDeletionSchema>;
