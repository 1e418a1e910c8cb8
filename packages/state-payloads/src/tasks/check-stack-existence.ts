import * as z from 'zod/mini';
import { ExecutionInputSchema } from '../input.js';
import { DeploymentIdSchema, StackCheckSchema } from '../results.js';

/**
 * The gate: checks the whole execution input strictly, policy included, so that a state machine
 * started by anything but the Trigger Lambda fails here, before any stack is touched (Load Template,
 * before it, only reads the artifact). While it waits for a
 * busy stack it reads its own previous result.
 */
export const checkStackExistenceTask = {
  name: 'checkStackExistence',
  functionName: 'check-stack-existence',
  resultKey: 'stack',
  input: z.object({
    input: ExecutionInputSchema,
    deploymentId: DeploymentIdSchema,
    stack: z.optional(StackCheckSchema),
  }),
  result: StackCheckSchema,
} as const;
