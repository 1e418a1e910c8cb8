import { formatPath } from './issues.js';

/** Why a JSON text was refused: not JSON at all, or a key written twice in one object. */
export class JsonTextError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'JsonTextError';
  }
}

/**
 * An object or array being read. Each knows its parent and its place there, so the path of a duplicate
 * is built only when one is found: the work grows with the size of the text, not with its depth squared.
 */
interface ObjectContext {
  readonly kind: 'object';
  readonly keys: Set<string>;
  readonly parent: Context | undefined;
  readonly place: PropertyKey | undefined;
  /** The key whose value is being read, once its name has been seen. */
  key: string | undefined;
}
interface ArrayContext {
  readonly kind: 'array';
  readonly parent: Context | undefined;
  readonly place: PropertyKey | undefined;
  index: number;
}
type Context = ObjectContext | ArrayContext;

/** Where a value inside `context` sits in its own container. */
function placeIn(context: Context | undefined): PropertyKey | undefined {
  if (context === undefined) return undefined;
  return context.kind === 'array' ? context.index : context.key;
}

function pathOf(context: Context): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: Context | undefined = context; at?.parent !== undefined; at = at.parent) {
    if (at.place !== undefined) path.push(at.place);
  }
  return path.reverse();
}

/** The index just past the string that starts at `start` (a `"`), in text already known to be JSON. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    let backslashes = 0;
    for (let i = quote - 1; text.charCodeAt(i) === 92; i -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/**
 * Finds the first key written twice in one object of a valid JSON text. `JSON.parse` keeps the last
 * value silently, so a second `allow`, or a second `Action`, could change the meaning of a document
 * without anyone seeing it.
 * @returns the key and where its object sits, or undefined when every object's keys are distinct.
 */
export function findDuplicateKey(text: string): { readonly key: string; readonly path: string } | undefined {
  const stack: Context[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    switch (code) {
      case 123 /* { */:
        stack.push({ kind: 'object', keys: new Set(), parent: top, place: placeIn(top), key: undefined });
        break;
      case 91 /* [ */:
        stack.push({ kind: 'array', parent: top, place: placeIn(top), index: 0 });
        break;
      case 125 /* } */:
      case 93 /* ] */:
        stack.pop();
        break;
      case 44 /* , */:
        if (top?.kind === 'array') top.index += 1;
        else if (top) top.key = undefined;
        break;
      case 34 /* " */:
        {
          const end = stringEnd(text, i);
          if (top?.kind === 'object' && top.key === undefined) {
            const key = JSON.parse(text.slice(i, end)) as string;
            if (top.keys.has(key)) return { key, path: formatPath(pathOf(top)) || '(top level)' };
            top.keys.add(key);
            top.key = key;
          }
          i = end - 1;
          break;
        }
      default:
        break;
    }
  }
  return undefined;
}

/**
 * `JSON.parse`, refusing a key written twice in one object.
 * @param source names the text in error messages (e.g. `policy file p.json`).
 * @throws JsonTextError naming the source and the problem.
 */
export function parseJsonText(text: string, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JsonTextError(`${source}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    throw new JsonTextError(
      `${source}: the key ${JSON.stringify(duplicate.key)} is written twice in the object at ${duplicate.path}; JSON would keep only the last one silently, so the file is refused`,
    );
  }
  return value;
}
