import * as z from 'zod/mini';
import { DeploymentInputSchema } from '../input-fields.js';
import {
  BlueGreenSchema,
  DeploymentIdSchema,
  StackCheckSchema,
  StackOperationSchema,
  TemplateSourceSchema,
} from '../results.js';

/**
 * Reads the execution input but its policy (checked by the gate, Check Stack Existence) and the results it needs;
 * `blueGreen` is set when it creates the new stack of a blue/green deployment.
 */
export const createStackTask = {
  name: 'createStack',
  functionName: 'create-stack',
  resultKey: 'operation',
  input: z.object({
    input: DeploymentInputSchema,
    deploymentId: DeploymentIdSchema,
    template: TemplateSourceSchema,
    blueGreen: z.optional(BlueGreenSchema),
    stack: StackCheckSchema,
  }),
  result: StackOperationSchema,
} as const;
