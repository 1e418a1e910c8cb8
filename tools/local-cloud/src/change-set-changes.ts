import {
  type CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { changesFromTemplates, parseTemplate, type TemplateChange } from '@cfn-safe-deploy/changeset-policy';
import { recordOf } from '@cfn-safe-deploy/state-payloads';
import { s3Authorization, sendUpstream } from './upstream.js';
import { type XmlDocument, xmlElement, xmlMembers } from './xml.js';

/**
 * The changes of a change set, computed from the stack's template before the change and the change
 * set's template with @aws-cdk/cloudformation-diff (Replacement, Scope, Details, PolicyAction),
 * because moto lists changes without them.
 */
export interface ChangeSetRecord {
  readonly changes?: TemplateChange[];
  /** Why the changes could not be computed: moto's own list is then returned, marked conditional. */
  readonly problem?: string;
}

/** A stack as it was before a change set: its template and the physical id of each resource. */
export interface StackSnapshot {
  readonly template: Record<string, unknown>;
  readonly physicalIds: ReadonlyMap<string, string>;
}

export const EMPTY_TEMPLATE = { Resources: {} };

/** The stack's current template and physical ids, or an empty template when it has none yet. */
export async function stackSnapshot(
  moto: CloudFormationClient,
  stackName: string | null,
): Promise<StackSnapshot> {
  const physicalIds = new Map<string, string>();
  if (!stackName) return { template: EMPTY_TEMPLATE, physicalIds };
  let stackId: string | undefined;
  try {
    const stacks = await moto.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = stacks.Stacks?.[0];
    if (stack === undefined || stack.StackStatus === 'REVIEW_IN_PROGRESS')
      return { template: EMPTY_TEMPLATE, physicalIds };
    stackId = stack.StackId;
  } catch {
    return { template: EMPTY_TEMPLATE, physicalIds };
  }
  const body = (await moto.send(new GetTemplateCommand({ StackName: stackId }))).TemplateBody ?? '';
  const resources = await moto.send(new DescribeStackResourcesCommand({ StackName: stackId }));
  for (const resource of resources.StackResources ?? []) {
    if (resource.LogicalResourceId && resource.PhysicalResourceId) {
      physicalIds.set(resource.LogicalResourceId, resource.PhysicalResourceId);
    }
  }
  return { template: await parseTemplate(body, `the template of stack ${stackName}`), physicalIds };
}

/**
 * The text of the template a request names (TemplateBody, or TemplateURL read from the emulator's
 * S3), or undefined when it names none (UsePreviousTemplate).
 */
export async function requestTemplateText(
  params: URLSearchParams,
  upstream: string,
): Promise<{ readonly text: string; readonly source: string } | undefined> {
  const body = params.get('TemplateBody');
  if (body !== null) return { text: body, source: 'the change set template' };
  const url = params.get('TemplateURL');
  if (url === null) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`TemplateURL ${url} is not a URL`);
  }
  // Path-style (http://localhost:PORT/bucket/key) or virtual-hosted (https://bucket.s3….amazonaws.com/key).
  const virtualHost = /^([^.]+)\.s3[.-]/.exec(parsed.hostname)?.[1];
  const path = virtualHost ? `/${virtualHost}${parsed.pathname}` : parsed.pathname;
  const answer = await sendUpstream(upstream, 'GET', path, { authorization: s3Authorization() }, undefined);
  if (answer.status !== 200)
    throw new Error(
      `the template at ${url} could not be read from the emulator's S3 (HTTP ${answer.status})`,
    );
  return { text: answer.body.toString('utf8'), source: url };
}

/** The change set's template, from the CreateChangeSet request itself (body, URL in moto's S3, or the previous one). */
export async function requestedTemplate(
  params: URLSearchParams,
  upstream: string,
  previous: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const named = await requestTemplateText(params, upstream);
  if (named !== undefined) return parseTemplate(named.text, named.source);
  if (params.get('UsePreviousTemplate') === 'true') return previous;
  throw new Error('CreateChangeSet named no template (TemplateBody, TemplateURL or UsePreviousTemplate)');
}

/**
 * The changes of the change set a CreateChangeSet request (`params`) made from the stack `before`:
 * the diff of the two templates, with the physical id of every resource that already exists.
 */
export async function changesOfRequest(
  params: URLSearchParams,
  upstream: string,
  before: StackSnapshot,
): Promise<TemplateChange[]> {
  const newTemplate = await requestedTemplate(params, upstream, before.template);
  return (await changesFromTemplates(before.template, newTemplate)).map((change) => {
    const resourceChange = change.ResourceChange;
    const physicalId = resourceChange?.LogicalResourceId
      ? before.physicalIds.get(resourceChange.LogicalResourceId)
      : undefined;
    if (resourceChange === undefined || physicalId === undefined || resourceChange.Action === 'Add')
      return change;
    return { ...change, ResourceChange: { ...resourceChange, PhysicalResourceId: physicalId } };
  });
}

type ResourceAction = NonNullable<TemplateChange['ResourceChange']>['Action'];

/**
 * moto's own Changes list of a DescribeChangeSet answer, for a change set whose templates are
 * unknown. Fail closed: without the templates nobody can tell whether a Modify replaces the
 * resource, so every Modify is `Replacement: Conditional`.
 */
export function motoChanges(document: XmlDocument, resultPath: readonly string[]): TemplateChange[] {
  return xmlMembers(xmlElement(document, [...resultPath, 'Changes'])).flatMap((member) => {
    const part = recordOf(recordOf(member)?.ResourceChange);
    if (part === undefined) return [];
    const text = (name: string): string | undefined => {
      const value = part[name];
      return typeof value === 'string' ? value : undefined;
    };
    const action = text('Action') as ResourceAction;
    return [
      {
        Type: 'Resource',
        ResourceChange: {
          Action: action,
          LogicalResourceId: text('LogicalResourceId'),
          ResourceType: text('ResourceType'),
          ...(action === 'Modify' ? { Replacement: 'Conditional' as const } : {}),
          Scope: [],
          Details: [],
        },
      },
    ];
  });
}
