import { describeIssue, findDuplicateKey } from '@cfn-safe-deploy/changeset-policy';
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

/** One sentence per zod issue (the wording of the change-set policy's messages: one for the project). */
export function describeIssues(error: z.core.$ZodError, input: unknown): string[] {
  return error.issues.map((issue) => describeIssue(issue, { root: input }));
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
