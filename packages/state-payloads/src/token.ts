import * as z from 'zod/mini';
import './zod-config.js';
import { PayloadValidationError, parseJsonText, parseWith } from './errors.js';

/** CodePipeline accepts continuation tokens of at most 2,048 characters. */
export const MAX_CONTINUATION_TOKEN = 2048;

export const ContinuationTokenSchema = z.strictObject({
  v: z.literal(1),
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

export function encodeContinuationToken(executionArn: string): string {
  const token = JSON.stringify(
    parseWith(ContinuationTokenSchema, { v: 1, executionArn }, 'continuation token'),
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
