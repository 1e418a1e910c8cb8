import { describe, expect, it } from 'vitest';
import {
  decodeContinuationToken,
  encodeContinuationToken,
  MAX_CONTINUATION_TOKEN,
  PayloadValidationError,
} from '../src/index.js';

const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:Deploy:job-6f1b2c3d';

describe('continuation token', () => {
  it('carries the execution ARN there and back', () => {
    const token = encodeContinuationToken(executionArn);

    expect(token.length).toBeLessThanOrEqual(MAX_CONTINUATION_TOKEN);
    expect(decodeContinuationToken(token)).toEqual({ v: 1, executionArn });
  });

  it('refuses something that is not an execution ARN', () => {
    expect(() =>
      encodeContinuationToken('arn:aws:states:us-east-1:123456789012:stateMachine:Deploy'),
    ).toThrow(/executionArn: must be a Step Functions execution ARN/);
  });

  it.each([
    ['not JSON', 'not-json', /not JSON/],
    ['the wrong version', JSON.stringify({ v: 2, executionArn }), /v is number 2; expected 1/],
    [
      'an unknown field',
      JSON.stringify({ v: 1, executionArn, extra: 1 }),
      /\(top level\) has unknown key "extra"/,
    ],
    ['too long', 'x'.repeat(MAX_CONTINUATION_TOKEN + 1), /at most 2048/],
  ])('names the problem of a token that is %s', (_what, token, message) => {
    expect(() => decodeContinuationToken(token)).toThrow(PayloadValidationError);
    expect(() => decodeContinuationToken(token)).toThrow(message);
  });
});
