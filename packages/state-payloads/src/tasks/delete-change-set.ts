import * as z from 'zod/mini';
import { ChangeSetDeletionSchema, ChangeSetStateSchema, DeploymentIdSchema } from '../results.js';

/**
 * Reads only the results it needs: it never looks at the execution input (checked by the gate, Check Stack Existence).
 */
export const deleteChangeSetTask = {
  name: 'deleteChangeSet',
  functionName: 'delete-change-set',
  resultKey: 'changeSetDeletion',
  input: z.object({
    deploymentId: DeploymentIdSchema,
    changeSet: ChangeSetStateSchema,
  }),
  result: ChangeSetDeletionSchema,
} as const;
