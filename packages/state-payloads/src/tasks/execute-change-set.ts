import * as z from 'zod/mini';
import { InspectionSchema } from '../inspection.js';
import { ChangeSetStateSchema, DeploymentIdSchema, StackOperationSchema } from '../results.js';

/**
 * Reads only the results it needs: it never looks at the execution input (checked by the gate, Check Stack Existence).
 */
export const executeChangeSetTask = {
  name: 'executeChangeSet',
  functionName: 'execute-change-set',
  resultKey: 'operation',
  input: z.object({
    deploymentId: DeploymentIdSchema,
    changeSet: ChangeSetStateSchema,
    inspection: InspectionSchema,
  }),
  result: StackOperationSchema,
} as const;
