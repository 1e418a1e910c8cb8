import * as z from 'zod/mini';
import { ExecutionInputSchema } from '../input.js';
import { InspectionSchema } from '../inspection.js';
import { ChangeSetStateSchema, DeploymentIdSchema } from '../results.js';

/**
 * The inspection applies the input's policy, so it reads the whole execution input.
 */
export const inspectChangeSetTask = {
  name: 'inspectChangeSet',
  functionName: 'inspect-change-set',
  resultKey: 'inspection',
  input: z.object({
    input: ExecutionInputSchema,
    deploymentId: DeploymentIdSchema,
    changeSet: ChangeSetStateSchema,
  }),
  result: InspectionSchema,
} as const;
