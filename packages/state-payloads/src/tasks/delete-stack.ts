import * as z from 'zod/mini';
import { DeploymentIdSchema, StackCheckSchema, StackOperationSchema } from '../results.js';

/**
 * Reads only the results it needs: it never looks at the execution input (checked by the gate, Check Stack Existence).
 */
export const deleteStackTask = {
  name: 'deleteStack',
  functionName: 'delete-stack',
  resultKey: 'operation',
  input: z.object({
    deploymentId: DeploymentIdSchema,
    stack: StackCheckSchema,
  }),
  result: StackOperationSchema,
} as const;
