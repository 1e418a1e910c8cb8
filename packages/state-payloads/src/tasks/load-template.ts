import * as z from 'zod/mini';
import { DeploymentInputSchema } from '../input-fields.js';
import { TemplateSourceSchema } from '../result-template.js';
import { DeploymentIdSchema } from '../schemas-common.js';

/**
 * Reads the execution input but its policy: the fields that locate the template and name the stack,
 * each checked. It touches no stack, so the gate that checks the whole input strictly is Check Stack
 * Existence, right after it.
 */
export const loadTemplateTask = {
  name: 'loadTemplate',
  functionName: 'load-template',
  resultKey: 'template',
  input: z.object({
    input: DeploymentInputSchema,
    deploymentId: DeploymentIdSchema,
  }),
  result: TemplateSourceSchema,
} as const;
