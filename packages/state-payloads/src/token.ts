import * as z from 'zod/mini';
import './zod-config.js';
import { PayloadValidationError, parseJsonText, parseWith } from './errors.js';

/** CodePipeline accepts continuation tokens of at most 2,048 characters. */
export const MAX_CONTINUATION_TOKEN = 2048;

/** With a cloud assembly: which of its stacks the execution deploys (0-based) and how many there are. */
const StackPositionSchema = z
  .strictObject({
    index: z.number().check(z.int(), z.minimum(0), z.maximum(9_999)),
    count: z.number().check(z.int(), z.minimum(1), z.maximum(10_000)),
    /** A digest of the job's input file and plan: a later invocation must plan the same. */
    plan: z.optional(z.string().check(z.regex(/^[0-9a-f]{16}$/, 'must be 16 hex digits'))),
  })
  .check(z.refine((position) => position.index < position.count, 'index must be less than count'));

export const ContinuationTokenSchema = z.strictObject({
  v: z.literal(1),
  stack: z.optional(StackPositionSchema),
  executionArn: z
    .string()
    .check(
      z.regex(
        /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/,
        'must be a Step Functions execution ARN',
      ),
    ),
});
export type ContinuationToken = z.infer<typeof ContinuationTokenSchema>;

export function encodeContinuationToken(
  executionArn: string,
  stack?: { readonly index: number; readonly count: number; readonly plan?: string },
): string {
  const token = JSON.stringify(
    parseWith(
      ContinuationTokenSchema,
      { v: 1, executionArn, ...(stack === undefined ? {} : { stack }) },
      'continuation token',
    ),
  );
  if (token.length > MAX_CONTINUATION_TOKEN) {
    throw new PayloadValidationError('continuation token', [
      `the token is ${token.length} characters; CodePipeline accepts at most ${MAX_CONTINUATION_TOKEN}`,
    ]);
  }
  return token;
}

export function decodeContinuationToken(token: string): ContinuationToken {
  if (token.length > MAX_CONTINUATION_TOKEN) {
    throw new PayloadValidationError('continuation token', [
      `it is ${token.length} characters; at most ${MAX_CONTINUATION_TOKEN} were expected`,
    ]);
  }
  const parsed = parseJsonText(token, 'continuation token');
  return parseWith(ContinuationTokenSchema, parsed, 'continuation token');
}
