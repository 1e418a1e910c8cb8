/**
 * An error shaped like the AWS SDK v3's service exceptions, for unit tests that make a mocked
 * client reject: `name` is the exception's name, `$fault` is `server` for a 5xx status and
 * `client` otherwise, `$metadata.httpStatusCode` is `status`; `extra` adds fields (e.g. `Code`).
 * No SDK is loaded: import it from `@cfn-safe-deploy/testing/aws-errors`.
 */
export function awsError(
  name: string,
  message: string,
  status = 400,
  extra: Record<string, unknown> = {},
): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, {
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    ...extra,
  });
  return error;
}
