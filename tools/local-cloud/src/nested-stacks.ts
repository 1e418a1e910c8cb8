import { createHash } from 'node:crypto';
import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import { parseTemplate, type TemplateChange } from '@cfn-safe-deploy/changeset-policy';
import {
  type ChangeSetRecord,
  changesOfRequest,
  requestedTemplate,
  type StackSnapshot,
  stackSnapshot,
} from './change-set-changes.js';
import { withGeneratedNames } from './generated-names.js';
import { templateProblem } from './template-checks.js';
import { s3Authorization, sendUpstream } from './upstream.js';

/**
 * Nested stacks (`AWS::CloudFormation::Stack` with a `TemplateURL` in the emulator's S3), what moto
 * 5.2.1 lacks of them:
 * - moto creates a nested stack itself (named `<parent>-<logical id>-<random>`, from its own S3) and
 *   deletes it with its parent, but it recreates it (a new stack, every resource anew) whenever the
 *   nested stack's properties change, and never updates it when only the template behind the URL
 *   changed. So the template the front forwards to moto keeps the properties moto created each
 *   existing nested stack with, and the front updates the nested stack itself, in place, through its
 *   own change set; a digest of each nested stack's template and properties in the template's
 *   Metadata (NESTED_DIGESTS_KEY) makes moto see the parent change when only a nested stack changed.
 * - moto has no nested change sets: with `IncludeNestedStacks`, the front creates one on each existing
 *   nested stack, computes its changes as it does the parent's, points the parent's change at it
 *   (`ChangeSetId`), and gives it `ParentChangeSetId` / `RootChangeSetId`; executing or deleting the
 *   root executes or deletes them.
 * - moto reads any URL as some bucket and key; the front accepts only the forms AWS accepts.
 */

/** Where the digests of the nested stacks are kept in the template moto stores. */
export const NESTED_DIGESTS_KEY = 'SafeDeploy::NestedStacks';
const STACK_TYPE = 'AWS::CloudFormation::Stack';
/** AWS allows more levels; a template that nests itself would otherwise never end. */
const MAX_DEPTH = 5;

/** A request CloudFormation refuses with a ValidationError (HTTP 400), with AWS's code and a message. */
export class NestedStackError extends Error {
  override readonly name: string = 'NestedStackError';
  readonly code = 'ValidationError';
}

/**
 * A nested stack's template that cannot be read, parsed or checked. CloudFormation finds this while
 * it creates the nested change set, not when it receives CreateChangeSet: the change set is created
 * and ends FAILED (the front answers CreateStack and UpdateStack with a ValidationError instead).
 */
export class NestedTemplateError extends NestedStackError {
  override readonly name: string = 'NestedTemplateError';
  constructor(
    readonly logicalId: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

const REGION_PATTERN = '[a-z]{2}(?:-[a-z]+)+-\\d';
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const URL_FORMS =
  'https://BUCKET.s3.amazonaws.com/KEY, https://BUCKET.s3.REGION.amazonaws.com/KEY, https://s3.amazonaws.com/BUCKET/KEY or https://s3.REGION.amazonaws.com/BUCKET/KEY';

/** The bucket and key of a nested stack's TemplateURL, in one of the four forms AWS accepts. */
export function parseTemplateUrl(url: string): S3Location {
  const refuse = (why: string): never => {
    throw new NestedStackError(
      `TemplateURL must be a supported URL: ${JSON.stringify(url)} ${why}; expected ${URL_FORMS}`,
    );
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse('is not a URL');
  }
  if (parsed.protocol !== 'https:') refuse(`uses ${parsed.protocol.replace(/:$/, '')}, not https`);
  if (parsed.port !== '' || parsed.username !== '' || parsed.password !== '')
    refuse('names a port or credentials');
  const host = parsed.hostname;
  const segments = parsed.pathname.split('/').slice(1);
  let bucket: string;
  let keySegments: string[];
  if (new RegExp(`^s3(?:\\.${REGION_PATTERN})?\\.amazonaws\\.com$`).test(host)) {
    bucket = decodeURIComponent(segments[0] ?? '');
    keySegments = segments.slice(1);
  } else {
    const virtual = new RegExp(`^(.+)\\.s3(?:\\.${REGION_PATTERN})?\\.amazonaws\\.com$`).exec(host);
    if (virtual === null) return refuse(`has host ${host}, which is not Amazon S3's`);
    bucket = virtual[1] ?? '';
    keySegments = segments;
  }
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    refuse(`names bucket ${JSON.stringify(bucket)}, which is not a bucket name`);
  const key = keySegments.map((segment) => decodeURIComponent(segment)).join('/');
  if (key === '') refuse('names no key');
  return { bucket, key };
}

/** The text of an object in the emulator's S3 (moto), or a ValidationError naming the URL. */
export async function readTemplateObject(upstream: string, url: string, logicalId: string): Promise<string> {
  const { bucket, key } = parseTemplateUrl(url);
  const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const answer = await sendUpstream(upstream, 'GET', path, { authorization: s3Authorization() }, undefined);
  if (answer.status !== 200) {
    throw new NestedTemplateError(
      logicalId,
      `S3 error: the template at TemplateURL ${url} (bucket ${bucket}, key ${key}) could not be read from the emulator's S3 (HTTP ${answer.status}); upload it before the deployment`,
    );
  }
  return answer.body.toString('utf8');
}

interface NestedResource {
  readonly logicalId: string;
  readonly properties: Record<string, unknown>;
}

function recordValue(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The template's nested stacks (resources of type AWS::CloudFormation::Stack). */
export function nestedResources(template: Record<string, unknown>): NestedResource[] {
  return Object.entries(recordValue(template.Resources) ?? {}).flatMap(([logicalId, resource]) => {
    const fields = recordValue(resource);
    if (fields?.Type !== STACK_TYPE) return [];
    return [{ logicalId, properties: recordValue(fields.Properties) ?? {} }];
  });
}

function templateUrlOf(resource: NestedResource): string {
  const url = resource.properties.TemplateURL;
  if (typeof url !== 'string') {
    throw new NestedStackError(
      `TemplateURL of nested stack ${resource.logicalId} must be a literal URL string in the emulator (got ${JSON.stringify(url) ?? 'nothing'})`,
    );
  }
  return url;
}

/** A nested stack of the new template, its template read from S3. */
interface PlannedNested {
  readonly resource: NestedResource;
  readonly body: string;
  readonly template: Record<string, unknown>;
}

/** What the front forwards for a template with nested stacks, and what it learned reading them. */
export interface NestedPlan {
  /** The template moto gets: existing nested stacks' properties as moto has them, and the digests. */
  readonly forwarded: Record<string, unknown>;
  readonly nested: readonly PlannedNested[];
}

/**
 * Reads every nested stack's template (and theirs, to MAX_DEPTH), refusing a bad URL or a missing
 * object; returns the template to forward to moto, or undefined when there is no nested stack.
 * `before` is the stack as moto has it (its template holds the properties moto created each nested
 * stack with).
 */
export async function planNestedStacks(
  upstream: string,
  template: Record<string, unknown>,
  before: Record<string, unknown> | undefined,
  depth = 0,
): Promise<NestedPlan | undefined> {
  const resources = nestedResources(template);
  if (resources.length === 0) return undefined;
  if (depth >= MAX_DEPTH) {
    throw new NestedStackError(
      `nested stacks are nested more than ${MAX_DEPTH} levels deep (${resources[0]?.logicalId})`,
    );
  }
  const nested: PlannedNested[] = [];
  for (const resource of resources) {
    const url = templateUrlOf(resource);
    const body = await readTemplateObject(upstream, url, resource.logicalId);
    // What the front checks of a root template, CloudFormation checks of each nested one.
    const problem = await templateProblem(body);
    if (problem !== undefined) {
      throw new NestedTemplateError(
        resource.logicalId,
        `the template of nested stack ${resource.logicalId} at ${url}: ${problem.message}`,
      );
    }
    let child: Record<string, unknown>;
    try {
      child = await parseTemplate(body, `the template of nested stack ${resource.logicalId} at ${url}`);
    } catch (error) {
      throw new NestedTemplateError(resource.logicalId, (error as Error).message);
    }
    await planNestedStacks(upstream, child, undefined, depth + 1);
    nested.push({ resource, body, template: child });
  }
  const forwarded = structuredClone(template);
  const forwardedResources = recordValue(forwarded.Resources) ?? {};
  const oldResources = recordValue(before?.Resources) ?? {};
  const digests: Record<string, { digest: string; properties: Record<string, unknown> }> = {};
  for (const { resource, body } of nested) {
    const old = recordValue(oldResources[resource.logicalId]);
    const target = recordValue(forwardedResources[resource.logicalId]);
    if (old?.Type === STACK_TYPE && target !== undefined) target.Properties = structuredClone(old.Properties);
    const digest = createHash('sha256')
      .update(body)
      .update(JSON.stringify(resource.properties))
      .digest('hex');
    digests[resource.logicalId] = { digest, properties: resource.properties };
  }
  forwarded.Metadata = { ...(recordValue(forwarded.Metadata) ?? {}), [NESTED_DIGESTS_KEY]: digests };
  return { forwarded, nested };
}

/**
 * A stack's template as the user last wrote it, from the one moto stores: each nested stack's
 * properties as the user gave them (kept beside the digests), and without the digests.
 */
export function userView(snapshot: StackSnapshot): StackSnapshot {
  const metadata = recordValue(snapshot.template.Metadata);
  const digests = recordValue(metadata?.[NESTED_DIGESTS_KEY]);
  if (metadata === undefined || digests === undefined) return snapshot;
  const { [NESTED_DIGESTS_KEY]: _digests, ...rest } = metadata;
  const { Metadata: _metadata, ...template } = structuredClone(snapshot.template);
  const resources = recordValue(template.Resources) ?? {};
  for (const [logicalId, entry] of Object.entries(digests)) {
    const resource = recordValue(resources[logicalId]);
    const properties = recordValue(recordValue(entry)?.properties);
    if (resource !== undefined && properties !== undefined) resource.Properties = properties;
  }
  return {
    ...snapshot,
    template: Object.keys(rest).length === 0 ? template : { ...template, Metadata: rest },
  };
}

/** The request's parameter values (`Parameters.member.N.ParameterKey/ParameterValue`). */
export function requestParameters(params: URLSearchParams): Map<string, string> {
  const values = new Map<string, string>();
  for (let n = 1; params.has(`Parameters.member.${n}.ParameterKey`); n += 1) {
    const key = params.get(`Parameters.member.${n}.ParameterKey`) ?? '';
    const value = params.get(`Parameters.member.${n}.ParameterValue`);
    if (value !== null) values.set(key, value);
  }
  return values;
}

/**
 * The nested stack's parameters: a literal value, or a `Ref` to a parameter of the parent (its
 * value in the request, or its default); anything else keeps the nested stack's previous value.
 */
function childParameters(
  resource: NestedResource,
  parentTemplate: Record<string, unknown>,
  parentValues: ReadonlyMap<string, string>,
): Parameter[] {
  const declared = recordValue(parentTemplate.Parameters) ?? {};
  return Object.entries(recordValue(resource.properties.Parameters) ?? {}).map(([key, value]) => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return { ParameterKey: key, ParameterValue: String(value) };
    }
    const ref = recordValue(value)?.Ref;
    if (typeof ref === 'string') {
      const given = parentValues.get(ref) ?? recordValue(declared[ref])?.Default;
      if (given !== undefined) return { ParameterKey: key, ParameterValue: String(given) };
    }
    return { ParameterKey: key, UsePreviousValue: true };
  });
}

/** Nested change sets: the parent and root of each, and the children of each parent. */
export class NestedChangeSets {
  private readonly parents = new Map<string, { parent: string; root: string }>();
  private readonly children = new Map<string, string[]>();

  constructor(
    private readonly moto: () => CloudFormationClient,
    private readonly upstream: () => string,
    private readonly log: (message: string) => void,
  ) {}

  clear(): void {
    this.parents.clear();
    this.children.clear();
  }

  /** `ParentChangeSetId` and `RootChangeSetId` of a nested change set, undefined for any other. */
  lineage(changeSetId: string): { ParentChangeSetId: string; RootChangeSetId: string } | undefined {
    const found = this.parents.get(changeSetId);
    return found === undefined ? undefined : { ParentChangeSetId: found.parent, RootChangeSetId: found.root };
  }

  /**
   * Creates the nested change sets of change set `parentId` (of a stack `before` that exists), records
   * their changes in `records`, and returns the parent's `changes` with each nested stack's change
   * pointing at its change set (a nested stack changed only behind its URL gets a Modify).
   */
  async create(
    parentId: string,
    rootId: string,
    changeSetName: string,
    parentTemplate: Record<string, unknown>,
    parentValues: ReadonlyMap<string, string>,
    plan: NestedPlan,
    before: StackSnapshot,
    changes: TemplateChange[],
    records: Map<string, ChangeSetRecord>,
  ): Promise<TemplateChange[]> {
    const result = [...changes];
    for (const { resource, body, template } of plan.nested) {
      const childStack = before.physicalIds.get(resource.logicalId);
      const oldResource = recordValue(recordValue(before.template.Resources)?.[resource.logicalId]);
      if (childStack === undefined || oldResource?.Type !== STACK_TYPE) continue; // added: moto creates it
      const childStored = await stackSnapshot(this.moto(), childStack);
      const childBefore = userView(childStored);
      const childPlan = await planNestedStacks(this.upstream(), template, childStored.template);
      const named = (await withGeneratedNames(body, childStack)) ?? body;
      const forwarded = childPlan === undefined ? named : JSON.stringify(childPlan.forwarded);
      const created = await this.moto().send(
        new CreateChangeSetCommand({
          StackName: childStack,
          ChangeSetName: `${changeSetName}-${resource.logicalId}`.slice(0, 128),
          ChangeSetType: 'UPDATE',
          TemplateBody: forwarded,
          Parameters: childParameters(resource, parentTemplate, parentValues),
          IncludeNestedStacks: true,
        }),
      );
      const childId = created.Id;
      if (childId === undefined) throw new Error(`moto created no change set on nested stack ${childStack}`);
      let childChanges = await changesOfRequest(
        new URLSearchParams({ TemplateBody: named }),
        this.upstream(),
        childBefore,
      );
      if (childPlan !== undefined) {
        const values = new Map(
          childParameters(resource, parentTemplate, parentValues).flatMap((p) =>
            p.ParameterKey !== undefined && p.ParameterValue !== undefined
              ? [[p.ParameterKey, p.ParameterValue] as const]
              : [],
          ),
        );
        childChanges = await this.create(
          childId,
          rootId,
          changeSetName,
          template,
          values,
          childPlan,
          childBefore,
          childChanges,
          records,
        );
      }
      const index = result.findIndex(
        (change) => change.ResourceChange?.LogicalResourceId === resource.logicalId,
      );
      if (index < 0 && childChanges.length === 0) {
        await this.moto().send(new DeleteChangeSetCommand({ ChangeSetName: childId }));
        continue;
      }
      records.set(childId, { changes: childChanges });
      this.parents.set(childId, { parent: parentId, root: rootId });
      this.children.set(parentId, [...(this.children.get(parentId) ?? []), childId]);
      const existing = index < 0 ? undefined : result[index]?.ResourceChange;
      const pointed: TemplateChange = {
        Type: 'Resource',
        ResourceChange: {
          Action: 'Modify',
          LogicalResourceId: resource.logicalId,
          PhysicalResourceId: childStack,
          ResourceType: STACK_TYPE,
          Replacement: 'False',
          Scope: ['Properties'],
          Details: [],
          ...existing,
          ChangeSetId: childId,
        },
      };
      if (index < 0) result.push(pointed);
      else result[index] = pointed;
    }
    return result;
  }

  /** The id of a change set named by ARN, or by name and stack. */
  async idOf(changeSetName: string, stackName: string | null): Promise<string | undefined> {
    if (changeSetName.startsWith('arn:')) return changeSetName;
    try {
      const answer = await this.moto().send(
        new DescribeChangeSetCommand({
          ChangeSetName: changeSetName,
          ...(stackName ? { StackName: stackName } : {}),
        }),
      );
      return answer.ChangeSetId;
    } catch {
      return undefined; // moto answers the request itself
    }
  }

  /** Executes the nested change sets of `changeSetId` (deepest first) that have changes to execute. */
  async execute(changeSetId: string): Promise<void> {
    for (const child of this.children.get(changeSetId) ?? []) {
      await this.execute(child);
      const described = await this.moto().send(new DescribeChangeSetCommand({ ChangeSetName: child }));
      if (described.Status === 'CREATE_COMPLETE' && described.ExecutionStatus === 'AVAILABLE') {
        await this.moto().send(new ExecuteChangeSetCommand({ ChangeSetName: child }));
      }
    }
  }

  /** Deletes the nested change sets of `changeSetId` (deepest first). */
  async delete(changeSetId: string): Promise<void> {
    for (const child of this.children.get(changeSetId) ?? []) {
      await this.delete(child);
      try {
        await this.moto().send(new DeleteChangeSetCommand({ ChangeSetName: child }));
      } catch (error) {
        this.log(
          `CloudFormation front: nested change set ${child} could not be deleted: ${(error as Error).message}`,
        );
      }
      this.parents.delete(child);
    }
    this.children.delete(changeSetId);
  }
}

/**
 * The nested stacks of a CreateStack / UpdateStack / CreateChangeSet request (`params`, for the
 * stack whose template moto stores is `stored`): the template as the user wrote it and the plan, or undefined when the template
 * has none or cannot be read (moto then answers with its own error).
 * @throws NestedStackError when a nested stack's URL or template is refused
 */
export async function planRequest(
  upstream: string,
  params: URLSearchParams,
  stored: Record<string, unknown> | undefined,
): Promise<{ template: Record<string, unknown>; plan: NestedPlan } | undefined> {
  if (params.get('UsePreviousTemplate') === 'true') return undefined;
  let template: Record<string, unknown>;
  try {
    template = await requestedTemplate(params, upstream, {});
  } catch {
    return undefined;
  }
  const plan = await planNestedStacks(upstream, template, stored);
  return plan === undefined ? undefined : { template, plan };
}

/** The request with the template moto is to get as its TemplateBody. */
export function forwardedBody(params: URLSearchParams, plan: NestedPlan): Buffer {
  const copy = new URLSearchParams(params);
  copy.delete('TemplateURL');
  copy.set('TemplateBody', JSON.stringify(plan.forwarded));
  return Buffer.from(copy.toString());
}
