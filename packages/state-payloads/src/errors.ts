import { findDuplicateKey } from '@cfn-safe-deploy/changeset-policy';
import * as z from 'zod/mini';
import './zod-config.js';

/** A payload (execution input, task result, token, file) failed validation. The message names each bad field. */
export class PayloadValidationError extends Error {
  /** One line per problem: `field: what was wrong (got value)`. */
  readonly problems: readonly string[];

  constructor(what: string, problems: readonly string[], options?: ErrorOptions) {
    super(`${what} is invalid: ${problems.join('; ')}`, options);
    this.name = 'PayloadValidationError';
    this.problems = problems;
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      return index === 0 ? String(key) : `.${String(key)}`;
    })
    .join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Renders a received value short enough for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Turns zod issues into messages that name the field, the value received and what was expected. */
export function describeIssues(error: z.core.$ZodError, input: unknown): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length === 0 ? '' : ` in ${fieldName(issue.path)}`;
      return `unknown field${issue.keys.length > 1 ? 's' : ''}${where}: ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    const field = fieldName(issue.path);
    if (issue.code === 'invalid_key') {
      const key = issue.path.at(-1);
      const why = issue.issues.map((inner) => inner.message).join('; ');
      return `${field}: the key ${describeValue(String(key))} is not allowed: ${why}`;
    }
    const received = valueAt(input, issue.path);
    return `${field}: ${issue.message} (got ${describeValue(received)})`;
  });
}

/** Parses `input` with `schema`, throwing a PayloadValidationError that names every bad field. */
export function parseWith<S extends z.core.$ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = z.safeParse(schema, input);
  if (!result.success) {
    throw new PayloadValidationError(what, describeIssues(result.error, input), { cause: result.error });
  }
  return result.data;
}

/**
 * `text` parsed as JSON, or a PayloadValidationError naming `what`, quoting the start of the text
 * and, when given, what was expected.
 */
export function parseJsonText(text: string, what: string, expected?: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const hint = expected === undefined ? '' : `; expected ${expected}`;
    throw new PayloadValidationError(
      what,
      [`it is not JSON (got ${JSON.stringify(text.slice(0, 80))})${hint}`],
      {
        cause: error,
      },
    );
  }
  // JSON keeps the last of two equal keys silently: a second "policy" or "allow" must not widen the policy unseen.
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    throw new PayloadValidationError(what, [
      `the key ${JSON.stringify(duplicate.key)} is written twice in the object at ${duplicate.path}; each key may appear once`,
    ]);
  }
  return value;
}
