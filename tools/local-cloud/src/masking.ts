/** Field names that look like secrets: their values never reach a report or a saved run. */
const SECRET_WORDS = 'secret|password|token|credential|accesskey|sessionkey|authorization';
const SECRET_KEY = new RegExp(SECRET_WORDS, 'i');
/** `"…secret…": "value"` / `"…token…": 123` in JSON-looking text. */
const SECRET_JSON_FIELD = new RegExp(
  `("[^"]*(?:${SECRET_WORDS})[^"]*"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\]\\s]+)`,
  'gi',
);
/** `…secret…=value` / `…token…: value` in plain text (log lines, messages). */
const SECRET_ASSIGNMENT = new RegExp(
  `\\b([\\w-]*(?:${SECRET_WORDS})[\\w-]*)(=|: )(?!\\*\\*\\*)([^\\s,;'"]+)`,
  'gi',
);

export const MASK = '***';

/** A copy of `value` with every field whose name looks like a secret replaced. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, field]) => [
        key,
        SECRET_KEY.test(key) ? MASK : redact(field),
      ]),
    );
  }
  return value;
}

/** `text` with the values of secret-looking fields and assignments masked (for log lines). */
export function maskSecretsInText(text: string): string {
  return text
    .replace(SECRET_JSON_FIELD, (_whole, key: string) => `${key}"${MASK}"`)
    .replace(SECRET_ASSIGNMENT, (_whole, key: string, sep: string) => `${key}${sep}${MASK}`);
}
