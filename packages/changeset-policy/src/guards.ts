/** A plain JSON object: not null, not an array. The one such guard of the project (packages import it from here). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
