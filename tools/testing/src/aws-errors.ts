/** Builds errors shaped like the AWS SDK v3's service exceptions. */
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
