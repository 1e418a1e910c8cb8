import { PayloadValidationError } from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { describe, expect, it } from 'vitest';
import {
  ArtifactError,
  CloudFormationError,
  classifyAwsError,
  InvalidInputError,
  isNoUpdatesError,
  isStackMissingError,
  isTemplateError,
  RetryableError,
  SafetyRefusedError,
  toTaskError,
} from '../src/errors.js';

describe('isStackMissingError', () => {
  it('is true for the "does not exist" ValidationError', () => {
    expect(isStackMissingError(awsError('ValidationError', 'Stack with id prod-app does not exist'))).toBe(
      true,
    );
  });

  it.each([
    ['throttling', awsError('Throttling', 'Rate exceeded')],
    [
      'access denied',
      awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', 403),
    ],
    ['another ValidationError', awsError('ValidationError', 'Template format error')],
    ['the message under another name', awsError('SomethingElse', 'Stack with id prod-app does not exist')],
    ['a plain error', new Error('Stack with id prod-app does not exist')],
    ['not an error', 'Stack with id prod-app does not exist'],
  ])('is false for %s', (_, error) => {
    expect(isStackMissingError(error)).toBe(false);
  });
});

describe('isNoUpdatesError', () => {
  it('recognises "No updates are to be performed"', () => {
    expect(isNoUpdatesError(awsError('ValidationError', 'No updates are to be performed.'))).toBe(true);
    expect(isNoUpdatesError(awsError('ValidationError', 'Template format error'))).toBe(false);
    expect(isNoUpdatesError(undefined)).toBe(false);
  });
});

describe('classifyAwsError', () => {
  it.each([
    ['Throttling', awsError('Throttling', 'Rate exceeded'), 'throttling'],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded', 'Request limit exceeded.'), 'throttling'],
    ['"Rate exceeded" under another name', awsError('ClientError', 'Rate exceeded'), 'throttling'],
    [
      'SDK throttling flag',
      awsError('Whatever', 'x', 400, { $retryable: { throttling: true } }),
      'throttling',
    ],
    ['HTTP 429', awsError('TooMany', 'x', 429), 'throttling'],
    ['a 5xx', awsError('InternalFailure', 'boom', 500), 'transient'],
    ['a server fault with no status', Object.assign(new Error('x'), { $fault: 'server' }), 'transient'],
    ['a network reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    ['a missing stack', awsError('ValidationError', 'Stack with id a does not exist'), 'not-found'],
    ['NoSuchKey', awsError('NoSuchKey', 'The specified key does not exist.', 404), 'not-found'],
    ['an unnamed 404', awsError('Unknown', 'x', 404), 'not-found'],
    ['AccessDenied', awsError('AccessDenied', 'not authorized', 403), 'access-denied'],
    ['an unnamed 403', awsError('Unknown', 'x', 403), 'access-denied'],
    ['ValidationError', awsError('ValidationError', 'Template format error'), 'validation'],
    [
      'InsufficientCapabilities',
      awsError('InsufficientCapabilitiesException', 'Requires CAPABILITY_IAM'),
      'validation',
    ],
    ['AlreadyExists', awsError('AlreadyExistsException', 'Stack [a] already exists'), 'other'],
    ['a non-error', 42, 'other'],
  ])('%s → %s', (_, error, expected) => {
    expect(classifyAwsError(error)).toBe(expected);
  });
});

describe('toTaskError', () => {
  it('turns throttling and transient errors into RetryableError, keeping the cause', () => {
    // Prepare
    const throttled = awsError('Throttling', 'Rate exceeded');

    // Act
    const error = toTaskError(throttled, 'DescribeStacks', 'prod-app');

    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.name).toBe('RetryableError');
    expect(error.message).toContain('DescribeStacks on prod-app');
    expect(error.cause).toBe(throttled);
    expect(toTaskError(awsError('InternalFailure', 'x', 503), 'op', 's')).toBeInstanceOf(RetryableError);
  });

  it('turns any other AWS error into CloudFormationError naming the operation and the subject', () => {
    // Act
    const error = toTaskError(awsError('AccessDenied', 'not authorized', 403), 'CreateStack', 'prod-app');

    // Assess
    expect(error).toBeInstanceOf(CloudFormationError);
    expect(error.name).toBe('CloudFormationError');
    expect(error.message).toBe('CreateStack on prod-app failed with AccessDenied: not authorized');
  });

  it('passes task errors and plain bugs through unchanged', () => {
    for (const error of [
      new SafetyRefusedError('no'),
      new ArtifactError('bad zip'),
      new InvalidInputError('bad'),
      new TypeError('bug'),
    ]) {
      expect(toTaskError(error, 'op', 's')).toBe(error);
    }
  });

  it('turns a PayloadValidationError into InvalidInputError', () => {
    // Prepare
    const invalid = new PayloadValidationError('input', ['stackName: required']);

    // Act
    const error = toTaskError(invalid, 'op', 's');

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('stackName: required');
  });

  it('makes a refused template a CloudFormationError naming the file, whatever code or status answered it', () => {
    // Prepare: CloudFormation's answer, and the same words behind a server error
    const refused = awsError('ValidationError', 'Template format error: YAML not well-formed. (line 3)');
    const asServerError = awsError(
      'InternalFailure',
      'Template error: instance of Fn::GetAtt references undefined resource Nope',
      500,
    );

    // Act
    const error = toTaskError(refused, 'CreateStack', 'qa-app', { templatePath: 'cfn/app.yaml' });
    const second = toTaskError(asServerError, 'CreateChangeSet', 'cs of stack qa-app', {
      templatePath: 'app.json',
    });

    // Assess
    expect(error).toBeInstanceOf(CloudFormationError);
    expect(error.message).toBe(
      'the template cfn/app.yaml is invalid (CreateStack on qa-app): Template format error: YAML not well-formed. (line 3)',
    );
    expect(error.cause).toBe(refused);
    expect(second).toBeInstanceOf(CloudFormationError);
    expect(second.message).toContain(
      'the template app.json is invalid (CreateChangeSet on cs of stack qa-app)',
    );
    expect(isTemplateError(awsError('ValidationError', 'Stack with id x does not exist'))).toBe(false);
    expect(
      isTemplateError(
        awsError(
          'ValidationError',
          'Unresolved resource dependencies [A] in the Resources block of the template',
        ),
      ),
    ).toBe(true);
  });

  it('wraps a thrown non-error value', () => {
    expect(toTaskError('boom', 'op', 's').message).toBe('op on s failed: boom');
  });
});
