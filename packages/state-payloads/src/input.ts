import { PolicySchema } from '@cfn-safe-deploy/changeset-policy';
import * as z from 'zod/mini';
import { parseWith } from './errors.js';
import {
  BucketSchema,
  checkCombinedName,
  deploymentShape,
  KeySchema,
  TemplatePathSchema,
} from './input-fields.js';

export { CAPABILITIES, ON_UNSAFE_CHANGE } from './input-fields.js';

/** The fields shared by the input file and the execution input. */
const inputShape = { ...deploymentShape, policy: z.optional(PolicySchema) };

/**
 * `state_machine_input.json` as a person writes it: the revision fields are optional because the
 * Trigger Lambda fills them in from the pipeline job's input artifact.
 */
export const InputFileSchema = z
  .strictObject({
    ...inputShape,
    revisionS3Bucket: z.optional(BucketSchema),
    revisionS3Key: z.optional(KeySchema),
  })
  .check(z.superRefine(checkCombinedName));
export type InputFile = z.infer<typeof InputFileSchema>;

/** The Deploy state machine's execution input: the input file plus the source artifact's location. */
export const ExecutionInputSchema = z
  .strictObject({
    ...inputShape,
    revisionS3Bucket: BucketSchema,
    revisionS3Key: KeySchema,
    /**
     * The asset manifests (paths in the source artifact) whose file assets are published before the
     * stack is deployed: set by the Trigger for the first stack of a cloud assembly.
     */
    assetManifests: z.optional(z.array(TemplatePathSchema).check(z.maxLength(1000))),
  })
  .check(z.superRefine(checkCombinedName));
export type ExecutionInput = z.infer<typeof ExecutionInputSchema>;
/** What a caller may pass before defaults apply (e.g. `onUnsafeChange` omitted). */
export type ExecutionInputDraft = z.input<typeof ExecutionInputSchema>;

export function parseInputFile(value: unknown, source = 'state machine input file'): InputFile {
  return parseWith(InputFileSchema, value, source);
}

export function parseExecutionInput(value: unknown): ExecutionInput {
  return parseWith(ExecutionInputSchema, value, 'execution input');
}

/** The Lambda invoke action's UserParameters (a JSON string in the pipeline definition). */
export const UserParametersSchema = z.strictObject({
  s3Bucket: z.optional(BucketSchema),
  stateMachineFile: z._default(
    z.string().check(
      z.minLength(1),
      z.maxLength(1024),
      z.refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments'),
    ),
    'state_machine_input.json',
  ),
});
export type UserParameters = z.infer<typeof UserParametersSchema>;
