/** A plain JSON object: not null, not an array. The one such guard of the project (packages import it from here). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * How many values `value` holds once every shared reference is counted each time it is reached — what
 * a YAML document with anchors and aliases becomes for anything that walks it. Counted without
 * recursion and without walking a shared value twice; stops as soon as `limit` is passed.
 * @returns the count, or `Infinity` when it is over `limit`.
 */
/** A template or policy holds far fewer values than this; more means aliases that expand without end. */
export const MAX_EXPANDED_VALUES = 1_000_000;

export function expandedSize(value: unknown, limit: number): number {
  const sizes = new Map<object, number>();
  const inProgress = new Set<object>();
  const visit: { node: object; children: unknown[]; index: number; size: number }[] = [];
  const open = (node: unknown): number | undefined => {
    if (typeof node !== 'object' || node === null) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    // A value that contains itself (a recursive alias) never ends.
    if (inProgress.has(node)) return Number.POSITIVE_INFINITY;
    inProgress.add(node);
    visit.push({ node, children: Array.isArray(node) ? node : Object.values(node), index: 0, size: 1 });
    return undefined;
  };
  const first = open(value);
  if (first !== undefined) return first;
  if (limit < 1) return Number.POSITIVE_INFINITY;
  let result = 0;
  while (visit.length > 0) {
    const frame = visit[visit.length - 1] as (typeof visit)[number];
    if (frame.index < frame.children.length) {
      const size = open(frame.children[frame.index]);
      if (size === undefined) continue;
      if (size === Number.POSITIVE_INFINITY) return size;
      frame.index += 1;
      frame.size += size;
      if (frame.size > limit) return Number.POSITIVE_INFINITY;
      continue;
    }
    visit.pop();
    inProgress.delete(frame.node);
    sizes.set(frame.node, frame.size);
    const parent = visit[visit.length - 1];
    if (parent === undefined) result = frame.size;
    else {
      parent.index += 1;
      parent.size += frame.size;
      if (parent.size > limit) return Number.POSITIVE_INFINITY;
    }
  }
  return result;
}
