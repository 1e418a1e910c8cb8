import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ARCHIVE_BYTES } from '../src/artifact.js';
import { readConfig } from '../src/config.js';
import { InvalidInputError } from '../src/errors.js';

describe('readConfig', () => {
  it('defaults everything optional', () => {
    expect(readConfig({})).toEqual({ maxArchiveBytes: DEFAULT_MAX_ARCHIVE_BYTES });
    expect(readConfig({ CFN_EXECUTION_ROLE_ARN: ' ', TEMPLATE_BUCKET: '' })).toEqual({
      maxArchiveBytes: DEFAULT_MAX_ARCHIVE_BYTES,
    });
  });

  it('reads every variable', () => {
    expect(
      readConfig({
        CFN_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/path/cfn-exec',
        TEMPLATE_BUCKET: 'my-staging.bucket',
        MAX_ARCHIVE_BYTES: '1048576',
      }),
    ).toEqual({
      executionRoleArn: 'arn:aws:iam::123456789012:role/path/cfn-exec',
      templateBucket: 'my-staging.bucket',
      maxArchiveBytes: 1_048_576,
    });
  });

  it.each([
    [
      'CFN_EXECUTION_ROLE_ARN',
      'cfn-exec',
      /CFN_EXECUTION_ROLE_ARN must be an IAM role ARN \(got "cfn-exec"\)/,
    ],
    ['TEMPLATE_BUCKET', 'Not_A_Bucket', /TEMPLATE_BUCKET must be an S3 bucket name \(got "Not_A_Bucket"\)/],
    [
      'MAX_ARCHIVE_BYTES',
      '12MB',
      /MAX_ARCHIVE_BYTES must be a positive whole number of bytes \(got "12MB"\)/,
    ],
    ['MAX_ARCHIVE_BYTES', '0', /MAX_ARCHIVE_BYTES/],
  ])('rejects a bad %s naming the variable', (name, value, message) => {
    expect(() => readConfig({ [name]: value })).toThrow(InvalidInputError);
    expect(() => readConfig({ [name]: value })).toThrow(message);
  });
});
