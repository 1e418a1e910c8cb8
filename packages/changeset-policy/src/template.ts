import type { ResourceDifference, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import type {
  PolicyAction,
  Change as SdkChange,
  ResourceChangeDetail as SdkDetail,
  ResourceChange as SdkResourceChange,
} from '@aws-sdk/client-cloudformation';
import { TemplateError } from './errors.js';
import { evaluate } from './evaluate.js';
import { expandedSize, isRecord, MAX_EXPANDED_VALUES } from './guards.js';
import { DEFAULT_POLICY } from './policy.js';
import type { Evaluation, Policy } from './schemas.js';
import {
  conditionTruth,
  dependsOnVolatile,
  resolveStaticMappings,
  section,
  type Template,
  type Truth,
  type Volatile,
  volatileNames,
} from './template-values.js';

export type { Template } from './template-values.js';

/** A DescribeChangeSet `Changes[]` entry (the SDK v3 type). */
export type TemplateChange = SdkChange;

/** The change-set id given to the synthetic change set that `diffTemplates` evaluates. */
export const TEMPLATE_DIFF_CHANGE_SET_ID = 'template-diff';

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * Parses a template written in JSON or YAML (with the CloudFormation short tags such as `!Ref`,
 * `!Sub`, `!GetAtt`) and checks that it has a `Resources` map of typed resources.
 * @param source names the template (e.g. its file name) in error messages.
 * @throws TemplateError naming the source and the problem.
 */
export async function parseTemplate(text: string, source = 'template'): Promise<Template> {
  let value: unknown;
  const trimmed = text.trimStart();
  if (trimmed === '') throw new TemplateError(`${source}: the file is empty`);
  if (trimmed.startsWith('{')) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new TemplateError(`${source}: not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  } else {
    const { yamlParse } = await import('yaml-cfn');
    try {
      value = yamlParse(text);
    } catch (error) {
      throw new TemplateError(`${source}: not valid YAML: ${firstLine((error as Error).message)}`, {
        cause: error,
      });
    }
  }
  if (expandedSize(value, MAX_EXPANDED_VALUES) > MAX_EXPANDED_VALUES) {
    throw new TemplateError(
      `${source}: expands to more than ${MAX_EXPANDED_VALUES.toLocaleString('en')} values (YAML anchors and aliases repeated inside each other, or an alias that contains itself); refusing to read it`,
    );
  }
  return checkTemplate(value, source);
}

function checkTemplate(value: unknown, source: string): Template {
  if (!isRecord(value)) throw new TemplateError(`${source}: a template must be an object (a mapping)`);
  const resources = value.Resources;
  if (!isRecord(resources)) {
    throw new TemplateError(
      `${source}: a template needs a Resources section that maps logical ids to resources`,
    );
  }
  for (const [id, resource] of Object.entries(resources)) {
    if (id.startsWith('Fn::ForEach::')) {
      throw new TemplateError(
        `${source}: ${id} is expanded by the AWS::LanguageExtensions transform only when the stack is deployed; create a change set and judge it with evaluate`,
      );
    }
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      throw new TemplateError(`${source}: resource ${id} must be an object with a string Type`);
    }
  }
  return value;
}

function deletionPolicyAction(oldResource: Record<string, unknown> | undefined): PolicyAction {
  switch (oldResource?.DeletionPolicy) {
    case 'Retain':
    case 'RetainExceptOnCreate':
      return 'Retain';
    case 'Snapshot':
      return 'Snapshot';
    default:
      return 'Delete';
  }
}

function replacePolicyAction(oldResource: Record<string, unknown> | undefined): PolicyAction {
  switch (oldResource?.UpdateReplacePolicy) {
    case 'Retain':
      return 'ReplaceAndRetain';
    case 'Snapshot':
      return 'ReplaceAndSnapshot';
    default:
      return 'ReplaceAndDelete';
  }
}

type Recreation = 'Always' | 'Conditionally' | 'Never';

const RECREATION: Readonly<Record<string, Recreation>> = {
  WILL_REPLACE: 'Always',
  MAY_REPLACE: 'Conditionally',
  WILL_UPDATE: 'Never',
};

/**
 * What changing a property does, from the diff's resource specification. A property the
 * specification does not know — every property of a registry, module or third-party type, of a
 * custom resource, or of an AWS type or property newer than the bundled specification — may require
 * replacement (its `createOnlyProperties` are unknown here), so it is `Conditionally`.
 */
function recreationOf(impact: string | undefined): Recreation {
  return RECREATION[impact ?? ''] ?? 'Conditionally';
}

type Diff = (oldTemplate: Template, newTemplate: Template) => TemplateDiff;

/** What changing `property` of a resource of `type` does, asked of the diff with two one-resource templates. */
function propertyRecreation(
  fullDiff: Diff,
  cache: Map<string, Recreation>,
  type: string,
  property: string,
): Recreation {
  const key = `${type}\u0000${property}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const probe = (value: string): Template => ({
    Resources: { R: { Type: type, Properties: { [property]: value } } },
  });
  const update = fullDiff(probe('a'), probe('b')).resources.get('R').propertyUpdates[property];
  const recreation = recreationOf(update?.changeImpact);
  cache.set(key, recreation);
  return recreation;
}

function detail(
  attribute: string,
  name: string | undefined,
  recreation: Recreation,
  evaluation: 'Static' | 'Dynamic',
): SdkDetail {
  return {
    Target: {
      Attribute: attribute as NonNullable<SdkDetail['Target']>['Attribute'],
      ...(name === undefined ? {} : { Name: name }),
      RequiresRecreation: recreation,
    },
    Evaluation: evaluation,
    ChangeSource: evaluation === 'Static' ? 'DirectModification' : 'ParameterReference',
  };
}

function staticDetails(diff: ResourceDifference): SdkDetail[] {
  const out: SdkDetail[] = [];
  for (const [name, property] of Object.entries(diff.propertyUpdates)) {
    out.push(detail('Properties', name, recreationOf(property.changeImpact), 'Static'));
  }
  for (const attribute of Object.keys(diff.otherChanges)) {
    if (attribute === 'Type' || attribute === 'Condition') continue;
    out.push(detail(attribute, undefined, 'Never', 'Static'));
  }
  return out;
}

/**
 * What the diff does not report of a resource's properties (those it reports are in `diff`):
 * - values that differ although the diff calls them equal — it compares loosely (the string "000123"
 *   equals "123", "1e3" equals "1000"), but CloudFormation passes the new string on (`Static`);
 * - values whose text did not change but that may: they use a parameter whose definition changed or
 *   that reads Systems Manager, a changed mapping or condition (`Fn::If`), a dynamic reference, or a
 *   resource that is replaced or updated. CloudFormation reports those with `Evaluation: Dynamic`.
 */
function unreportedDetails(
  fullDiff: Diff,
  cache: Map<string, Recreation>,
  type: string,
  oldResource: Record<string, unknown>,
  newResource: Record<string, unknown>,
  diff: ResourceDifference | undefined,
  volatile: Volatile,
): SdkDetail[] {
  const before = isRecord(oldResource.Properties) ? oldResource.Properties : {};
  const after = isRecord(newResource.Properties) ? newResource.Properties : {};
  const out: SdkDetail[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (diff?.isDifferent && name in diff.propertyUpdates) continue;
    const evaluation =
      JSON.stringify(before[name]) !== JSON.stringify(after[name])
        ? 'Static'
        : dependsOnVolatile(after[name], volatile)
          ? 'Dynamic'
          : undefined;
    if (evaluation)
      out.push(detail('Properties', name, propertyRecreation(fullDiff, cache, type, name), evaluation));
  }
  return out;
}

/** `True` when a property surely forces a new resource, `Conditional` when one may, else `False`. */
function replacementOf(details: readonly SdkDetail[]): 'True' | 'False' | 'Conditional' {
  let conditional = false;
  for (const d of details) {
    const recreation = d.Target?.RequiresRecreation;
    if (recreation === 'Always' && d.Evaluation === 'Static') return 'True';
    if (recreation === 'Always' || recreation === 'Conditionally') conditional = true;
  }
  return conditional ? 'Conditional' : 'False';
}

/** A `Changes[]` entry: its action, the fields that action adds, and the details with their scope. */
function resourceChange(
  logicalId: string,
  type: string | undefined,
  action: NonNullable<SdkResourceChange['Action']>,
  changeDetails: SdkDetail[] = [],
  fields: Pick<SdkResourceChange, 'Replacement' | 'PolicyAction'> = {},
): SdkChange {
  return {
    Type: 'Resource',
    ResourceChange: {
      LogicalResourceId: logicalId,
      ResourceType: type,
      Action: action,
      ...fields,
      Scope: [...new Set(changeDetails.map((d) => d.Target?.Attribute).filter((a) => a !== undefined))],
      Details: changeDetails,
    },
  };
}

function modify(
  logicalId: string,
  type: string,
  oldResource: Record<string, unknown> | undefined,
  changeDetails: SdkDetail[],
): SdkChange {
  const replacement = replacementOf(changeDetails);
  return resourceChange(logicalId, type, 'Modify', changeDetails, {
    Replacement: replacement,
    ...(replacement === 'False' ? {} : { PolicyAction: replacePolicyAction(oldResource) }),
  });
}

function removal(
  logicalId: string,
  type: string | undefined,
  oldResource: Record<string, unknown> | undefined,
  orphan: boolean,
): SdkChange {
  return resourceChange(logicalId, type, 'Remove', [], {
    PolicyAction: orphan ? 'Retain' : deletionPolicyAction(oldResource),
  });
}

/** Whether a resource exists after an update, judged from its `Condition` in each template. */
type Presence = 'unchanged' | 'removed' | 'added' | 'absent' | 'unknown';

/**
 * How a change of a resource's `Condition` (or of the conditions, parameters and mappings that
 * condition uses) plays out: a condition that turns false removes the resource; one that cannot be
 * decided from the templates may remove it (`unknown`, reported as Dynamic).
 */
function presence(
  oldTemplate: Template,
  newTemplate: Template,
  oldResource: Record<string, unknown>,
  newResource: Record<string, unknown>,
  volatile: Volatile,
): Presence {
  const oldCondition = typeof oldResource.Condition === 'string' ? oldResource.Condition : undefined;
  const newCondition = typeof newResource.Condition === 'string' ? newResource.Condition : undefined;
  const changed =
    oldCondition !== newCondition || (newCondition !== undefined && volatile.conditions.has(newCondition));
  if (!changed) return 'unchanged';
  const before: Truth = oldCondition === undefined ? true : conditionTruth(oldTemplate, oldCondition);
  const after: Truth = newCondition === undefined ? true : conditionTruth(newTemplate, newCondition);
  if (after === false) return before === false ? 'absent' : 'removed';
  if (after === true) return before === false ? 'added' : 'unchanged';
  return before === false ? 'added' : 'unknown';
}

/**
 * Computes the resource changes CloudFormation would list for an update from `oldTemplate` to
 * `newTemplate`, shaped as DescribeChangeSet `Changes` (Action, Replacement, PolicyAction, Scope,
 * Details), with the replacement semantics of @aws-cdk/cloudformation-diff (loaded on first use).
 * PolicyAction comes from the old template's DeletionPolicy (removals) and UpdateReplacePolicy
 * (replacements). What it adds to the diff, failing closed where the templates cannot tell:
 * - a resource whose `Condition` turns false is a `Remove`; one whose condition cannot be decided
 *   from the templates (it reads a parameter) and may have turned false is `Dynamic`;
 * - a property change on a type or property the bundled specification does not know may replace the
 *   resource (`Conditional`);
 * - a property whose text is unchanged but whose value may change at deploy time (a parameter whose
 *   `Default` changed or that reads Systems Manager, a changed mapping or condition, a dynamic
 *   reference) is reported with `Evaluation: Dynamic`: `Conditional` when that property requires
 *   replacement.
 * It assumes the parameters given at deploy time keep their values; see the README for what it cannot know.
 */
export async function changesFromTemplates(
  oldInput: Template,
  newInput: Template,
): Promise<TemplateChange[]> {
  const { fullDiff } = await import('@aws-cdk/cloudformation-diff');
  const oldTemplate = resolveStaticMappings(oldInput);
  const newTemplate = resolveStaticMappings(newInput);
  let diff: TemplateDiff;
  try {
    diff = fullDiff(oldTemplate, newTemplate);
  } catch (error) {
    throw new TemplateError(`comparing the templates failed: ${(error as Error).message}`, { cause: error });
  }
  let volatile = volatileNames(oldTemplate, newTemplate);
  const cache = new Map<string, Recreation>();
  const oldResources = section(oldTemplate, 'Resources');
  const newResources = section(newTemplate, 'Resources');
  const ids = [...new Set([...Object.keys(oldResources), ...Object.keys(newResources)])].sort();
  // A resource that reads another one's id or attributes changes when that one is replaced or updated:
  // follow the references until no more resources change (each round can only add changes).
  let changes: TemplateChange[] = [];
  for (let round = 0; round <= ids.length; round += 1) {
    changes = ids.map(changeOf).filter((change) => change !== undefined);
    const replaced = new Set<string>();
    const updated = new Set<string>();
    for (const { ResourceChange: rc } of changes) {
      if (!rc?.LogicalResourceId) continue;
      if (rc.Action === 'Dynamic' || (rc.Action === 'Modify' && rc.Replacement !== 'False'))
        replaced.add(rc.LogicalResourceId);
      if (rc.Action === 'Modify') updated.add(rc.LogicalResourceId);
    }
    if (replaced.size === volatile.replacedResources.size && updated.size === volatile.updatedResources.size)
      break;
    volatile = { ...volatile, replacedResources: replaced, updatedResources: updated };
  }
  return changes;

  function changeOf(logicalId: string): SdkChange | undefined {
    const resourceDiff = logicalId in diff.resources.changes ? diff.resources.get(logicalId) : undefined;
    const oldResource = isRecord(oldResources[logicalId])
      ? (oldResources[logicalId] as Record<string, unknown>)
      : undefined;
    const newResource = isRecord(newResources[logicalId])
      ? (newResources[logicalId] as Record<string, unknown>)
      : undefined;
    const oldType = typeof oldResource?.Type === 'string' ? oldResource.Type : undefined;
    const newType = typeof newResource?.Type === 'string' ? newResource.Type : undefined;
    if (!oldResource || !newResource) {
      if (newResource)
        return resourceChange(
          logicalId,
          newType,
          resourceDiff?.changeImpact === 'WILL_IMPORT' ? 'Import' : 'Add',
        );
      return removal(logicalId, oldType, oldResource, resourceDiff?.changeImpact === 'WILL_ORPHAN');
    }
    switch (presence(oldTemplate, newTemplate, oldResource, newResource, volatile)) {
      case 'absent':
        return undefined;
      case 'removed':
        return removal(logicalId, oldType, oldResource, false);
      case 'added':
        return resourceChange(logicalId, newType, 'Add');
      case 'unknown':
        return resourceChange(logicalId, newType, 'Dynamic', [
          detail('Condition', undefined, 'Never', 'Dynamic'),
        ]);
      default:
        break;
    }
    if (oldType !== newType) {
      return modify(logicalId, newType ?? '(unknown)', oldResource, [
        detail('Properties', 'Type', 'Always', 'Static'),
        ...(resourceDiff ? staticDetails(resourceDiff) : []),
      ]);
    }
    const changeDetails = [
      ...(resourceDiff?.isDifferent ? staticDetails(resourceDiff) : []),
      ...unreportedDetails(fullDiff, cache, newType ?? '', oldResource, newResource, resourceDiff, volatile),
    ];
    if (changeDetails.length === 0) return undefined;
    return modify(logicalId, newType ?? '(unknown)', oldResource, changeDetails);
  }
}

/** Judges a template update before any change set exists: `evaluate` over the changes of `changesFromTemplates`. */
export async function diffTemplates(
  oldTemplate: Template,
  newTemplate: Template,
  policy: Policy = DEFAULT_POLICY,
): Promise<Evaluation> {
  for (const [which, template] of [
    ['old', oldTemplate],
    ['new', newTemplate],
  ] as const) {
    if (template.Transform !== undefined) {
      throw new TemplateError(
        `the ${which} template declares Transform ${JSON.stringify(template.Transform)}: a macro (SAM, AWS::LanguageExtensions, your own) rewrites the template when it is deployed, so diff cannot know what would change; create a change set and judge it with evaluate`,
      );
    }
  }
  const changes = await changesFromTemplates(oldTemplate, newTemplate);
  return evaluate(
    [
      {
        ChangeSetId: TEMPLATE_DIFF_CHANGE_SET_ID,
        ChangeSetName: TEMPLATE_DIFF_CHANGE_SET_ID,
        Status: 'CREATE_COMPLETE',
        Changes: changes,
      },
    ],
    policy,
  );
}
