import type { TemplateChange } from '@cfn-safe-deploy/changeset-policy';
import { recordOf } from '@cfn-safe-deploy/state-payloads';
import { toQueryValue, type XmlDocument, xmlElement } from './xml.js';

/**
 * DescribeChangeSet paged as AWS pages it (moto never does): a page of `pageSize` changes and a
 * NextToken that names the change set and the offset of the next page.
 */
const NEXT_TOKEN_PREFIX = 'sdfront1.';

export function encodeNextToken(changeSetId: string, offset: number): string {
  return NEXT_TOKEN_PREFIX + Buffer.from(JSON.stringify({ c: changeSetId, o: offset })).toString('base64url');
}

/** The change set and offset a NextToken of the front names, or undefined when it is not one. */
export function decodeNextToken(token: string): { changeSetId: string; offset: number } | undefined {
  if (!token.startsWith(NEXT_TOKEN_PREFIX)) return undefined;
  let value: Record<string, unknown> | undefined;
  try {
    value = recordOf(
      JSON.parse(Buffer.from(token.slice(NEXT_TOKEN_PREFIX.length), 'base64url').toString('utf8')),
    );
  } catch {
    return undefined; // not ours
  }
  const changeSetId = value?.c;
  const offset = value?.o;
  if (
    typeof changeSetId === 'string' &&
    typeof offset === 'number' &&
    Number.isInteger(offset) &&
    offset >= 0
  ) {
    return { changeSetId, offset };
  }
  return undefined;
}

/** The page of `changes` that starts at `offset`, and the token of the next page when there is one. */
export function pageOf(
  changes: readonly TemplateChange[],
  changeSetId: string,
  offset: number,
  pageSize: number,
): { readonly page: TemplateChange[]; readonly nextToken?: string } {
  const page = changes.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  return next < changes.length ? { page, nextToken: encodeNextToken(changeSetId, next) } : { page };
}

/**
 * A copy of moto's DescribeChangeSet answer with `Changes` replaced by `page` and `NextToken` set (or
 * removed): every other element is moto's, in moto's order.
 */
export function withPage(
  document: XmlDocument,
  resultPath: readonly string[],
  page: readonly TemplateChange[],
  nextToken: string | undefined,
): XmlDocument {
  const rewritten = structuredClone(document);
  const result = recordOf(xmlElement(rewritten, resultPath));
  if (result === undefined) throw new Error(`the DescribeChangeSet answer has no ${resultPath.join('.')}`);
  result.Changes = toQueryValue(page);
  if (nextToken === undefined) delete result.NextToken;
  else result.NextToken = nextToken;
  return rewritten;
}
