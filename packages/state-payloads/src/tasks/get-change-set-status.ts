import * as z from 'zod/mini';
import { ChangeSetStateSchema, DeploymentIdSchema } from '../results.js';

/**
 * Reads only the results it needs: it never looks at the execution input (checked by the gate, Check Stack Existence).
 */
export const getChangeSetStatusTask = {
  name: 'getChangeSetStatus',
  functionName: 'get-change-set-status',
  resultKey: 'changeSet',
  input: z.object({
    deploymentId: DeploymentIdSchema,
    changeSet: ChangeSetStateSchema,
  }),
  result: ChangeSetStateSchema,
} as const;
