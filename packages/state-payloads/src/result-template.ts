import * as z from 'zod/mini';

/** CloudFormation's limit for an inline TemplateBody; larger templates go through S3 (TemplateURL). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;
/** The largest template CloudFormation takes at all (from S3, TemplateURL): 1 MB. */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

/**
 * The largest template body kept in the state, as UTF-8 bytes of its JSON encoding. The body rides
 * in the state from "Load Template" to the Task that creates the stack or change set, and Step
 * Functions limits a state to 256 KiB: the body gets at most a quarter of that. A template within
 * CloudFormation's 51,200 bytes exceeds it only when it is full of characters JSON escapes.
 */
export const MAX_TEMPLATE_BODY_STATE_BYTES = 64 * 1024;

const BytesSchema = z.number().check(z.int(), z.minimum(0));

/** A template small enough to go inline (TemplateBody). */
export const InlineTemplateSchema = z.strictObject({
  /** The template text, as CloudFormation takes it. */
  body: z.string().check(
    z.minLength(1),
    z.refine((body) => new TextEncoder().encode(body).length <= MAX_TEMPLATE_BODY_BYTES, {
      message: `an inline template is at most ${MAX_TEMPLATE_BODY_BYTES} bytes`,
    }),
  ),
  /** Its size in UTF-8 bytes. */
  bytes: BytesSchema,
});

/** A template staged in S3 (TemplateURL). */
export const StagedTemplateSchema = z.strictObject({
  /** Where CloudFormation reads it: an http(s) URL of the object. */
  url: z.string().check(z.regex(/^https?:\/\/[^\s/]+\/\S+$/, 'must be the http(s) URL of an S3 object')),
  /** Its size in UTF-8 bytes. */
  bytes: BytesSchema,
});

/**
 * The deployment's template ("Load Template"): read once from the source artifact, inline when
 * CloudFormation and the state both take it that way, otherwise staged in S3.
 */
export const TemplateSourceSchema = z.union([InlineTemplateSchema, StagedTemplateSchema]);
export type TemplateSource = z.infer<typeof TemplateSourceSchema>;
