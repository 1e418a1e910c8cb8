import { recordOf } from '@cfn-safe-deploy/state-payloads';
import { Builder, parseStringPromise } from 'xml2js';

/**
 * CloudFormation's query protocol in XML, read and written with xml2js (no hand-written parsing):
 * a document is an object whose keys are element names; an element's text is a string, a repeated
 * element is an array, attributes are under `$`.
 */
export type XmlDocument = Record<string, unknown>;

/** Parses a query-protocol answer (e.g. moto's) into an `XmlDocument`; the root element is its one key. */
export async function parseXml(xml: string): Promise<XmlDocument> {
  const parsed: unknown = await parseStringPromise(xml, { explicitArray: false, explicitRoot: true });
  const document = recordOf(parsed);
  if (document === undefined) throw new Error(`not an XML document: ${xml.slice(0, 80)}`);
  return document;
}

/** Writes an `XmlDocument` back as XML (no declaration, no indentation, as AWS answers). */
export function buildXml(document: XmlDocument): string {
  return new Builder({ headless: true, renderOpts: { pretty: false } }).buildObject(document);
}

/**
 * The element at `path` below the document (the root element first), or undefined when one
 * of them is missing.
 */
export function xmlElement(document: XmlDocument, path: readonly string[]): unknown {
  let current: unknown = document;
  for (const name of path) {
    current = recordOf(current)?.[name];
    if (current === undefined) return undefined;
  }
  return current;
}

/** The text of the element at `path`, or undefined when it is missing or not text. */
export function xmlText(document: XmlDocument, path: readonly string[]): string | undefined {
  const value = xmlElement(document, path);
  return typeof value === 'string' ? value : undefined;
}

/** The items of a query-protocol list element (`<List><member>…</member>…</List>`). */
export function xmlMembers(list: unknown): unknown[] {
  const members = recordOf(list)?.member;
  if (members === undefined) return [];
  return Array.isArray(members) ? members : [members];
}

/**
 * An SDK-shaped value (the PascalCase objects of the AWS SDK v3) as the query protocol writes it:
 * arrays become `<member>` lists (an empty one an empty element), `undefined` and `null` fields are
 * left out, everything else is text.
 */
export function toQueryValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? '' : { member: value.map(toQueryValue) };
  const fields = recordOf(value);
  if (fields !== undefined) {
    return Object.fromEntries(
      Object.entries(fields)
        .filter(([, field]) => field !== undefined && field !== null)
        .map(([key, field]) => [key, toQueryValue(field)]),
    );
  }
  return String(value);
}

/** A query-protocol error body, as CloudFormation (and moto) send it. */
export function queryError(code: string, message: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  return buildXml({
    ErrorResponse: {
      $: { xmlns: 'http://cloudformation.amazonaws.com/doc/2010-05-15/' },
      Error: { Type: type, Code: code, Message: message },
      RequestId: crypto.randomUUID(),
    },
  });
}

const ESCAPES: ReadonlyArray<readonly [string, string]> = [
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&apos;'],
];

/** Text made safe inside an XML or HTML element or attribute (`&` first, so nothing is escaped twice). */
export function escapeXml(text: string): string {
  return ESCAPES.reduce((escaped, [character, entity]) => escaped.replaceAll(character, entity), text);
}
