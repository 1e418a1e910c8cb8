import type { z } from 'zod';

/** `["Changes", 3, "ResourceChange"]` → `Changes[3].ResourceChange`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** A received value, short enough for an error message: `"text"`, `number 7`, `null`, `an object`, …. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Where an issue is and what was given there: the issue's own input (parsed with `reportInput`), else the value at its path. */
interface IssueContext {
  /** Keys to put before the issue's path (e.g. the index of a page in an array). @default [] */
  readonly prefix?: readonly PropertyKey[];
  /** The value that was parsed, to quote what was received when the issue does not carry it. */
  readonly root?: unknown;
}

/**
 * One sentence per zod issue, naming the field, the value received and what was expected — the one
 * wording every schema of the project uses (policy, change sets, payloads, tokens, input files).
 */
export function describeIssue(issue: z.core.$ZodIssue, context: IssueContext = {}): string {
  const prefix = context.prefix ?? [];
  const where = formatPath([...prefix, ...issue.path]) || '(top level)';
  const received = () =>
    describeValue(
      'input' in issue && issue.input !== undefined ? issue.input : valueAt(context.root, issue.path),
    );
  switch (issue.code) {
    case 'invalid_type':
      return `${where} must be ${article(issue.expected)} (got ${received()})`;
    case 'unrecognized_keys':
      return `${where} has unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys
        .map((k) => JSON.stringify(k))
        .join(', ')}`;
    case 'invalid_value':
      return `${where} is ${received()}; expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_key':
      return `${where}: the key ${JSON.stringify(String(issue.path.at(-1)))} is not allowed: ${issue.issues
        .map((inner) => inner.message)
        .join('; ')}`;
    default: {
      const got = received();
      return got === 'nothing' ? `${where}: ${issue.message}` : `${where}: ${issue.message} (got ${got})`;
    }
  }
}
