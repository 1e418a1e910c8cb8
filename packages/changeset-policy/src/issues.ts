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

function describeValue(value: unknown): string {
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

/** One sentence per zod issue that names the field, the value received and what was expected. */
export function describeIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): string {
  const where = formatPath([...prefix, ...issue.path]) || '(top level)';
  switch (issue.code) {
    case 'invalid_type': {
      const got = 'input' in issue && issue.input !== undefined ? describeValue(issue.input) : 'nothing';
      return `${where} must be ${article(issue.expected)} (got ${got})`;
    }
    case 'unrecognized_keys':
      return `${where} has unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys
        .map((k) => JSON.stringify(k))
        .join(', ')}`;
    case 'invalid_value': {
      const got = 'input' in issue ? describeValue(issue.input) : 'another value';
      return `${where} is ${got}; expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    }
    default:
      return `${where}: ${issue.message}`;
  }
}
