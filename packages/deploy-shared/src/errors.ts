/**
 * Error classes the Deploy state machine's Retry and Catch match on by name, and the classification
 * of AWS SDK errors into them. The `name` of each class is part of the contract: do not rename.
 */

/** A transient failure (throttling, 5xx, network): the state machine retries it with backoff. */
export class RetryableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

/** The task's input failed validation. Never retried: the same input fails the same way. */
export class InvalidInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/** An action was refused because doing it could delete or break something. Never retried. */
export class SafetyRefusedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SafetyRefusedError';
  }
}

/** Any other AWS error; the message names the operation and the stack. Never retried. */
export class CloudFormationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CloudFormationError';
  }
}

/** The source artifact or the template in it is unusable (missing, too big, unsafe, not UTF-8). Never retried. */
export class ArtifactError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ArtifactError';
  }
}

export type AwsErrorClass =
  | 'throttling'
  | 'transient'
  | 'not-found'
  | 'access-denied'
  | 'validation'
  | 'other';

interface ErrorShape {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly status?: number;
  readonly fault?: string;
  readonly throttling: boolean;
}

function shapeOf(error: unknown): ErrorShape | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const record = error as Record<string, unknown>;
  const metadata = record.$metadata as { httpStatusCode?: unknown } | undefined;
  const retryable = record.$retryable as { throttling?: unknown } | undefined;
  return {
    name: typeof record.name === 'string' ? record.name : '',
    message: typeof record.message === 'string' ? record.message : '',
    code: typeof record.code === 'string' ? record.code : undefined,
    status: typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined,
    fault: typeof record.$fault === 'string' ? record.$fault : undefined,
    throttling: retryable?.throttling === true,
  };
}

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'BandwidthLimitExceeded',
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServiceError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
const NOT_FOUND_NAMES = new Set([
  'NoSuchKey',
  'NoSuchBucket',
  'NotFound',
  'ChangeSetNotFound',
  'ChangeSetNotFoundException',
  'StackNotFoundException',
  'ResourceNotFoundException',
]);
const ACCESS_DENIED_NAMES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
]);
const VALIDATION_NAMES = new Set([
  'ValidationError',
  'ValidationException',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
  'InsufficientCapabilitiesException',
  'InvalidChangeSetStatus',
  'InvalidChangeSetStatusException',
]);

const STACK_MISSING = /^Stack with id .+ does not exist$/;

/**
 * True only for CloudFormation's answer that a stack does not exist: a `ValidationError` saying
 * "Stack with id NAME does not exist". Throttling, AccessDenied and anything else say nothing about
 * existence and give false.
 */
export function isStackMissingError(error: unknown): boolean {
  const shape = shapeOf(error);
  return shape !== undefined && shape.name === 'ValidationError' && STACK_MISSING.test(shape.message.trim());
}

/** CloudFormation's ValidationError "No updates are to be performed." */
export function isNoUpdatesError(error: unknown): boolean {
  const shape = shapeOf(error);
  return (
    shape !== undefined &&
    shape.name === 'ValidationError' &&
    shape.message.includes('No updates are to be performed')
  );
}

const TEMPLATE_ERROR = /^(Template format error|Template error|Unresolved resource dependencies)/;

/**
 * True for CloudFormation's refusal of a template ("Template format error: …", "Template error: …"),
 * whatever its code or status: the same template is refused the same way, so it is never retried.
 */
export function isTemplateError(error: unknown): boolean {
  const shape = shapeOf(error);
  return shape !== undefined && TEMPLATE_ERROR.test(shape.message.trim());
}

/** Sorts an AWS SDK (or network) error into what the state machine does about it. */
export function classifyAwsError(error: unknown): AwsErrorClass {
  const shape = shapeOf(error);
  if (shape === undefined) return 'other';
  if (
    shape.throttling ||
    THROTTLING_NAMES.has(shape.name) ||
    shape.status === 429 ||
    /rate exceeded/i.test(shape.message)
  ) {
    return 'throttling';
  }
  if (isStackMissingError(error) || NOT_FOUND_NAMES.has(shape.name)) return 'not-found';
  if (ACCESS_DENIED_NAMES.has(shape.name) || shape.status === 403) return 'access-denied';
  if (
    TRANSIENT_NAMES.has(shape.name) ||
    (shape.code !== undefined && NETWORK_CODES.has(shape.code)) ||
    shape.fault === 'server' ||
    (shape.status !== undefined && shape.status >= 500)
  ) {
    return 'transient';
  }
  if (VALIDATION_NAMES.has(shape.name)) return 'validation';
  if (shape.status === 404) return 'not-found';
  return 'other';
}

const TASK_ERRORS = [
  RetryableError,
  InvalidInputError,
  SafetyRefusedError,
  CloudFormationError,
  ArtifactError,
];

function isAwsLike(error: unknown): boolean {
  const shape = shapeOf(error);
  if (shape === undefined) return false;
  const record = error as Record<string, unknown>;
  return (
    '$metadata' in record || '$fault' in record || (shape.code !== undefined && NETWORK_CODES.has(shape.code))
  );
}

/** What a task knows of the request that failed, for the message. */
export interface TaskErrorContext {
  /** The template's path in the source artifact, when the request carried the deployment's template. */
  readonly templatePath?: string;
}

/**
 * Maps an error from `operation` on `subject` (a stack, a change set, an object) to the class the
 * state machine acts on, keeping the original as `cause`. Task errors and non-AWS errors (bugs)
 * pass through unchanged; a PayloadValidationError becomes an InvalidInputError; a refused template
 * is a CloudFormationError (never retried) that names the template file.
 */
export function toTaskError(
  error: unknown,
  operation: string,
  subject: string,
  context: TaskErrorContext = {},
): Error {
  if (TASK_ERRORS.some((type) => error instanceof type)) return error as Error;
  if (error instanceof Error && error.name === 'PayloadValidationError') {
    return new InvalidInputError(error.message, { cause: error });
  }
  if (!isAwsLike(error)) {
    return error instanceof Error ? error : new Error(`${operation} on ${subject} failed: ${String(error)}`);
  }
  const shape = shapeOf(error) as ErrorShape;
  if (isTemplateError(error)) {
    const file = context.templatePath === undefined ? 'the template' : `the template ${context.templatePath}`;
    return new CloudFormationError(`${file} is invalid (${operation} on ${subject}): ${shape.message}`, {
      cause: error,
    });
  }
  const kind = classifyAwsError(error);
  const what = `${operation} on ${subject} failed with ${shape.name || shape.code || 'an error'}: ${shape.message}`;
  if (kind === 'throttling' || kind === 'transient') {
    return new RetryableError(`${what} (${kind}; retry)`, { cause: error });
  }
  return new CloudFormationError(what, { cause: error });
}
