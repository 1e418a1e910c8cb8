import * as z from 'zod/mini';
import { CLOUDFORMATION_NAME, CLOUDFORMATION_NAME_MAX } from './names.js';
import './zod-config.js';

// The execution input's fields but the policy, in a module of their own: a Lambda bundle that
// imports only these (every task but the first and the inspection) does not build the policy's
// schemas when it starts.

export const CAPABILITIES = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'] as const;
export const ON_UNSAFE_CHANGE = ['fail', 'blue-green'] as const;

const nameText = 'a letter, then letters, digits or hyphens';

export const TemplatePathSchema = z.string().check(
  z.minLength(1, 'must name a file in the source artifact'),
  z.maxLength(1024, 'must be at most 1024 characters'),
  z.refine(
    (p) => !p.startsWith('/') && !/^[a-zA-Z]:/.test(p),
    'must be relative to the root of the source artifact',
  ),
  z.refine((p) => !p.includes('\\'), 'must use forward slashes'),
  z.refine((p) => !p.split('/').includes('..'), 'must not leave the source artifact (no ".." segments)'),
);

const TagKeySchema = z.string().check(
  z.minLength(1),
  z.maxLength(128, 'tag keys are at most 128 characters'),
  z.refine((k) => !k.toLowerCase().startsWith('aws:'), 'tag keys starting with "aws:" are reserved by AWS'),
);

/** The fields shared by the input file and the execution input, but `policy`. */
export const deploymentShape = {
  environmentName: z
    .string()
    .check(
      z.regex(CLOUDFORMATION_NAME, `must be ${nameText}`),
      z.maxLength(64, 'must be at most 64 characters'),
    ),
  stackName: z
    .string()
    .check(
      z.regex(
        /^[a-zA-Z0-9][-a-zA-Z0-9]*$/,
        'must be letters, digits or hyphens, starting with a letter or digit',
      ),
      z.maxLength(CLOUDFORMATION_NAME_MAX, `must be at most ${CLOUDFORMATION_NAME_MAX} characters`),
    ),
  templatePath: TemplatePathSchema,
  parameters: z.optional(
    z.record(
      z.string().check(z.minLength(1), z.maxLength(255)),
      z.string(),
      'must be an object of string values',
    ),
  ),
  capabilities: z.optional(z.array(z.enum(CAPABILITIES))),
  tags: z.optional(
    z
      .record(TagKeySchema, z.string().check(z.maxLength(256, 'tag values are at most 256 characters')))
      .check(z.refine((t) => Object.keys(t).length <= 50, 'at most 50 tags')),
  ),
  onUnsafeChange: z._default(z.enum(ON_UNSAFE_CHANGE), 'fail'),
};

export const BucketSchema = z
  .string()
  .check(
    z.minLength(3, 'must be an S3 bucket name (3 to 63 characters)'),
    z.maxLength(63, 'must be an S3 bucket name (3 to 63 characters)'),
  );
export const KeySchema = z.string().check(z.minLength(1, 'must be an S3 object key'), z.maxLength(1024));

export function checkCombinedName(
  value: { environmentName: string; stackName: string },
  ctx: z.core.$RefinementCtx<{ environmentName: string; stackName: string }>,
): void {
  const combined = `${value.environmentName}-${value.stackName}`;
  if (combined.length > CLOUDFORMATION_NAME_MAX) {
    ctx.addIssue({
      code: 'custom',
      path: ['stackName'],
      message: `"${combined}" (environmentName-stackName) is longer than ${CLOUDFORMATION_NAME_MAX} characters`,
    });
  }
}

/**
 * The execution input as the tasks other than the gate (Check Stack Existence) read it: every field
 * but `policy` (which only the gate and the inspection read), each still checked, unknown keys dropped.
 */
export const DeploymentInputSchema = z
  .object({ ...deploymentShape, revisionS3Bucket: BucketSchema, revisionS3Key: KeySchema })
  .check(z.superRefine(checkCombinedName));
export type DeploymentInput = z.infer<typeof DeploymentInputSchema>;
