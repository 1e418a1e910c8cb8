import { ChangeSetInputError } from './errors.js';
import { isRecord } from './guards.js';
import { describeIssue } from './issues.js';
import { isLastPage } from './rules/complete-pages.js';
import {
  type Change,
  ChangeSchema,
  type ChangeSetPage,
  ChangeSetPageSchema,
  ResourceChangeDetailSchema,
  ResourceChangeSchema,
  ResourceTargetDefinitionSchema,
} from './schemas.js';

const MAX_PROBLEMS = 5;

// ------------------------------------------------------------------------------------------------
// Fast path. Validating 10,000 changes with zod costs more than the rest of a CLI run, so a page is
// first checked by the plain function below, built from the same schemas' keys. It may only accept
// what the zod schema accepts (a property test holds it to that); anything it refuses goes through
// zod, which then decides and names the bad field.
// ------------------------------------------------------------------------------------------------

type Dict = Record<string, unknown>;

const isOptionalString = (value: unknown) =>
  value === undefined || value === null || typeof value === 'string';

/** The keys of a schema that are optional strings: every key except the ones listed. */
function stringKeys(shape: Readonly<Record<string, unknown>>, except: readonly string[]): readonly string[] {
  return Object.keys(shape).filter((key) => !except.includes(key));
}

const PAGE_STRINGS = stringKeys(ChangeSetPageSchema.shape, ['Changes']);
const CHANGE_STRINGS = stringKeys(ChangeSchema.shape, ['ResourceChange']);
const RESOURCE_CHANGE_STRINGS = stringKeys(ResourceChangeSchema.shape, ['Scope', 'Details']);
const DETAIL_STRINGS = stringKeys(ResourceChangeDetailSchema.shape, ['Target']);
const TARGET_STRINGS = stringKeys(ResourceTargetDefinitionSchema.shape, []);

function stringsOk(value: Dict, keys: readonly string[]): boolean {
  for (const key of keys) if (!isOptionalString(value[key])) return false;
  return true;
}

function optionalArrayOk(value: unknown, item: (entry: unknown) => boolean): boolean {
  if (value === undefined || value === null) return true;
  if (!Array.isArray(value)) return false;
  for (const entry of value) if (!item(entry)) return false;
  return true;
}

function optionalDictOk(value: unknown, check: (entry: Dict) => boolean): boolean {
  return value === undefined || value === null || (isRecord(value) && check(value));
}

const targetOk = (target: Dict) => stringsOk(target, TARGET_STRINGS);
const detailOk = (detail: unknown) =>
  isRecord(detail) && stringsOk(detail, DETAIL_STRINGS) && optionalDictOk(detail.Target, targetOk);
const resourceChangeOk = (rc: Dict) =>
  stringsOk(rc, RESOURCE_CHANGE_STRINGS) &&
  optionalArrayOk(rc.Scope, (entry) => typeof entry === 'string') &&
  optionalArrayOk(rc.Details, detailOk);
const changeOk = (change: unknown) =>
  isRecord(change) &&
  stringsOk(change, CHANGE_STRINGS) &&
  optionalDictOk(change.ResourceChange, resourceChangeOk);

/** True only for values the zod `ChangeSetPageSchema` accepts too. Exported for tests. */
export function isValidPageFast(value: unknown): value is ChangeSetPage {
  return (
    isRecord(value) &&
    stringsOk(value, PAGE_STRINGS) &&
    (typeof value.ChangeSetId === 'string' || typeof value.ChangeSetName === 'string') &&
    Array.isArray(value.Changes) &&
    optionalArrayOk(value.Changes, changeOk)
  );
}

/**
 * Validates one DescribeChangeSet response, or an array of them, and returns the pages.
 * Unknown keys are accepted; the fields the policy relies on must have the documented types.
 * @param source names the input in error messages (e.g. the file name).
 * @throws ChangeSetInputError naming the source, the bad field and what was expected.
 */
export function parseChangeSetPages(value: unknown, source = 'input'): ChangeSetPage[] {
  const items = Array.isArray(value) ? value : [value];
  const pages: ChangeSetPage[] = [];
  const problems: string[] = [];
  items.forEach((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      const where = Array.isArray(value) ? `[${index}]` : 'the top level';
      problems.push(`${where} must be a DescribeChangeSet response (a JSON object)`);
      return;
    }
    if (!('Changes' in item) || item.Changes === null || item.Changes === undefined) {
      const where = Array.isArray(value) ? `[${index}] ` : '';
      problems.push(
        `${where}is not a DescribeChangeSet result: it has no Changes list (AWS always sends one, empty when nothing changes)${'ChangeSetId' in item || 'ChangeSetName' in item ? '' : ' and neither ChangeSetId nor ChangeSetName'}`,
      );
      return;
    }
    if (isValidPageFast(item)) {
      pages.push(item);
      return;
    }
    const result = ChangeSetPageSchema.safeParse(item, { reportInput: true });
    if (result.success) {
      pages.push(result.data);
      return;
    }
    const prefix = Array.isArray(value) ? [index] : [];
    for (const issue of result.error.issues) {
      problems.push(
        issue.code === 'custom' && issue.path.length === 0
          ? `${prefix.length > 0 ? `[${index}] ` : ''}${issue.message}`
          : describeIssue(issue, { prefix }),
      );
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    const more =
      problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more problems)` : '';
    throw new ChangeSetInputError(`${source}: ${shown.join('; ')}${more}`);
  }
  if (pages.length === 0) {
    throw new ChangeSetInputError(`${source}: an empty array holds no DescribeChangeSet response`);
  }
  return pages;
}

/** All given pages of one change set. */
export interface ChangeSetGroup {
  /** `ChangeSetId` (or `ChangeSetName` when the input has no id). */
  readonly id: string;
  readonly name: string | undefined;
  readonly stackName: string | undefined;
  readonly status: string | undefined;
  readonly statusReason: string | undefined;
  /** The pages, each once: a page given twice (the same place and the same content) counts once. */
  readonly pages: readonly ChangeSetPage[];
  /** The changes of every page, in the order given. */
  readonly changes: readonly Change[];
  /**
   * Places (the `NextToken` a page carries, `""` for the last page) where two *different* pages were
   * given: the input contradicts itself about this change set.
   */
  readonly conflictingPages: readonly string[];
}

/** A nested change set that a change points at but that is not in the input. */
export interface MissingNestedChangeSet {
  readonly parentId: string;
  readonly logicalResourceId: string | undefined;
  readonly changeSetId: string;
}

/** The pages grouped per change set, with what is missing. */
export interface ChangeSetGraph {
  readonly changeSets: ReadonlyMap<string, ChangeSetGroup>;
  /** Change sets that no given change points at, in input order: the stacks to start from. */
  readonly roots: readonly string[];
  /** Change sets whose last page is missing (every given page has a NextToken). */
  readonly incomplete: readonly string[];
  readonly missingNested: readonly MissingNestedChangeSet[];
}

/** The key pages of one change set share. */
export function changeSetKey(page: ChangeSetPage): string {
  const key = page.ChangeSetId ?? page.ChangeSetName;
  if (typeof key !== 'string') {
    throw new ChangeSetInputError('a DescribeChangeSet response has neither ChangeSetId nor ChangeSetName');
  }
  return key;
}

const orUndefined = (value: string | null | undefined): string | undefined => value ?? undefined;

/** Where a page sits among the pages of its change set: the token it hands on (`""` on the last page). */
const placeOf = (page: ChangeSetPage): string => page.NextToken ?? '';

function samePage(a: ChangeSetPage, b: ChangeSetPage): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Groups pages by `ChangeSetId` and finds the roots, the incomplete change sets and the missing nested ones. */
export function groupChangeSets(pages: readonly ChangeSetPage[]): ChangeSetGraph {
  const byId = new Map<
    string,
    {
      first: ChangeSetPage;
      pages: ChangeSetPage[];
      changes: Change[];
      places: Map<string, ChangeSetPage>;
      conflicts: Set<string>;
    }
  >();
  for (const page of pages) {
    const key = changeSetKey(page);
    if (!Array.isArray(page.Changes)) {
      throw new ChangeSetInputError(
        `change set ${key}: a page is not a DescribeChangeSet result: it has no Changes list (AWS always sends one); check pages with parseChangeSetPages`,
      );
    }
    let entry = byId.get(key);
    if (!entry) {
      entry = { first: page, pages: [], changes: [], places: new Map(), conflicts: new Set() };
      byId.set(key, entry);
    }
    const place = placeOf(page);
    const earlier = entry.places.get(place);
    if (earlier !== undefined) {
      // The page that hands on a token is unique, and so is the last page: the same page given
      // twice counts once; two different pages in one place make the input contradict itself.
      if (!samePage(earlier, page)) entry.conflicts.add(place);
      continue;
    }
    entry.places.set(place, page);
    entry.pages.push(page);
    for (const change of page.Changes) entry.changes.push(change);
  }

  const changeSets = new Map<string, ChangeSetGroup>();
  const referenced = new Set<string>();
  const missingNested: MissingNestedChangeSet[] = [];
  const incomplete: string[] = [];
  for (const [id, entry] of byId) {
    if (!entry.pages.some(isLastPage)) incomplete.push(id);
    const statusPage = entry.pages.find((p) => typeof p.Status === 'string') ?? entry.first;
    changeSets.set(id, {
      id,
      name: orUndefined(entry.first.ChangeSetName),
      stackName: orUndefined(entry.first.StackName),
      status: orUndefined(statusPage.Status),
      statusReason: orUndefined(statusPage.StatusReason),
      pages: entry.pages,
      changes: entry.changes,
      conflictingPages: [...entry.conflicts],
    });
    for (const change of entry.changes) {
      const nested = change.ResourceChange?.ChangeSetId;
      if (typeof nested !== 'string' || nested === '') continue;
      if (nested !== id) referenced.add(nested);
      if (!byId.has(nested)) {
        missingNested.push({
          parentId: id,
          logicalResourceId: orUndefined(change.ResourceChange?.LogicalResourceId),
          changeSetId: nested,
        });
      }
    }
  }
  const roots = [...changeSets.keys()].filter((id) => !referenced.has(id));
  return { changeSets, roots, incomplete, missingNested };
}
