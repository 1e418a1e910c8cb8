import * as z from 'zod/mini';

/** A Catch's ResultPath: Step Functions' error name and cause. */
export const CaughtErrorSchema = z.looseObject({ Error: z.string(), Cause: z.optional(z.string()) });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;
