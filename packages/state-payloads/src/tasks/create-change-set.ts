import * as z from 'zod/mini';
import { DeploymentInputSchema } from '../input-fields.js';
import {
  ChangeSetStateSchema,
  DeploymentIdSchema,
  StackCheckSchema,
  TemplateSourceSchema,
} from '../results.js';

/**
 * Reads the execution input but its policy (checked by the gate, Check Stack Existence) and the results it needs.
 */
export const createChangeSetTask = {
  name: 'createChangeSet',
  functionName: 'create-change-set',
  resultKey: 'changeSet',
  input: z.object({
    input: DeploymentInputSchema,
    deploymentId: DeploymentIdSchema,
    template: TemplateSourceSchema,
    stack: StackCheckSchema,
  }),
  result: ChangeSetStateSchema,
} as const;
