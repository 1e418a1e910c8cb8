/**
 * Narrowing helpers for values of unknown shape (parsed JSON, caught errors) that every package
 * reads the same way.
 */

import { isRecord } from '@cfn-safe-deploy/changeset-policy';

/** True for a plain JSON-like object: not null, not an array (the change-set policy's guard, re-exported). */
export { isRecord };

/** The value as an object whose fields may be read, or undefined when it is not one. */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

/**
 * The name of a thrown value: `Error#name`, or the `name` field of an object shaped like an error
 * (the AWS SDK's service exceptions, errors crossing a JSON boundary); undefined otherwise.
 */
export function errorNameOf(error: unknown): string | undefined {
  if (error instanceof Error) return error.name;
  if (error === null || typeof error !== 'object') return undefined;
  const { name } = error as { name?: unknown };
  return typeof name === 'string' ? name : undefined;
}
