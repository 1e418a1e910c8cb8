import * as z from 'zod/mini';
import { DeploymentIdSchema, StackOperationSchema } from '../results.js';

/**
 * Reads only the results it needs: it never looks at the execution input (checked by the gate, Check Stack Existence).
 */
export const getStackStatusTask = {
  name: 'getStackStatus',
  functionName: 'get-stack-status',
  resultKey: 'operation',
  input: z.object({
    deploymentId: DeploymentIdSchema,
    operation: StackOperationSchema,
  }),
  result: StackOperationSchema,
} as const;
