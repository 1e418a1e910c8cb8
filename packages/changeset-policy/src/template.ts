import type { ResourceDifference, TemplateDiff } from '@aws-cdk/cloudformation-diff';
import type {
  PolicyAction,
  Change as SdkChange,
  ResourceChangeDetail as SdkDetail,
} from '@aws-sdk/client-cloudformation';
import { TemplateError } from './errors.js';
import { evaluate } from './evaluate.js';
import { DEFAULT_POLICY } from './policy.js';
import type { Evaluation, Policy } from './schemas.js';

/** A parsed CloudFormation template (JSON object). */
export type Template = Record<string, unknown>;

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
  return checkTemplate(value, source);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

const RECREATION: Readonly<Record<string, 'Always' | 'Conditionally' | 'Never'>> = {
  WILL_REPLACE: 'Always',
  MAY_REPLACE: 'Conditionally',
};

function details(diff: ResourceDifference): SdkDetail[] {
  const out: SdkDetail[] = [];
  for (const [name, property] of Object.entries(diff.propertyUpdates)) {
    out.push({
      Target: {
        Attribute: 'Properties',
        Name: name,
        RequiresRecreation: RECREATION[property.changeImpact ?? ''] ?? 'Never',
      },
      Evaluation: 'Static',
      ChangeSource: 'DirectModification',
    });
  }
  for (const attribute of Object.keys(diff.otherChanges)) {
    if (attribute === 'Type') continue;
    out.push({
      Target: {
        Attribute: attribute as NonNullable<SdkDetail['Target']>['Attribute'],
        RequiresRecreation: 'Never',
      },
      Evaluation: 'Static',
      ChangeSource: 'DirectModification',
    });
  }
  return out;
}

function toChange(logicalId: string, diff: ResourceDifference): SdkChange | undefined {
  const oldResource = diff.oldValue as Record<string, unknown> | undefined;
  const resourceType = diff.newResourceType ?? diff.oldResourceType;
  const base = { LogicalResourceId: logicalId, ResourceType: resourceType };
  switch (diff.changeImpact) {
    case 'NO_CHANGE':
      return undefined;
    case 'WILL_CREATE':
      return { Type: 'Resource', ResourceChange: { ...base, Action: 'Add', Scope: [], Details: [] } };
    case 'WILL_IMPORT':
      return { Type: 'Resource', ResourceChange: { ...base, Action: 'Import', Scope: [], Details: [] } };
    case 'WILL_DESTROY':
    case 'WILL_ORPHAN':
      return {
        Type: 'Resource',
        ResourceChange: {
          ...base,
          ResourceType: diff.oldResourceType,
          Action: 'Remove',
          PolicyAction: diff.changeImpact === 'WILL_ORPHAN' ? 'Retain' : deletionPolicyAction(oldResource),
          Scope: [],
          Details: [],
        },
      };
    default: {
      const impact = diff.changeImpact;
      const replacement =
        impact === 'WILL_REPLACE' ? 'True' : impact === 'MAY_REPLACE' ? 'Conditional' : 'False';
      const changeDetails = details(diff);
      if (diff.resourceTypeChanged) {
        changeDetails.unshift({
          Target: { Attribute: 'Properties', Name: 'Type', RequiresRecreation: 'Always' },
          Evaluation: 'Static',
          ChangeSource: 'DirectModification',
        });
      }
      const scope = [
        ...new Set(changeDetails.map((d) => d.Target?.Attribute).filter((a) => a !== undefined)),
      ];
      return {
        Type: 'Resource',
        ResourceChange: {
          ...base,
          Action: 'Modify',
          Replacement: replacement,
          ...(replacement === 'False' ? {} : { PolicyAction: replacePolicyAction(oldResource) }),
          Scope: scope,
          Details: changeDetails,
        },
      };
    }
  }
}

/**
 * Computes the resource changes CloudFormation would list for an update from `oldTemplate` to
 * `newTemplate`, shaped as DescribeChangeSet `Changes` (Action, Replacement, PolicyAction, Scope,
 * Details), with the replacement semantics of @aws-cdk/cloudformation-diff (loaded on first use).
 * PolicyAction comes from the old template's DeletionPolicy (removals) and UpdateReplacePolicy
 * (replacements). Values resolved only at deploy time (parameters, imports) are not known here.
 */
export async function changesFromTemplates(
  oldTemplate: Template,
  newTemplate: Template,
): Promise<TemplateChange[]> {
  const { fullDiff } = await import('@aws-cdk/cloudformation-diff');
  let diff: TemplateDiff;
  try {
    diff = fullDiff(oldTemplate, newTemplate);
  } catch (error) {
    throw new TemplateError(`comparing the templates failed: ${(error as Error).message}`, { cause: error });
  }
  const changes: TemplateChange[] = [];
  for (const logicalId of Object.keys(diff.resources.changes).sort()) {
    const change = toChange(logicalId, diff.resources.get(logicalId));
    if (change) changes.push(change);
  }
  return changes;
}

/** Judges a template update before any change set exists: `evaluate` over the changes of `changesFromTemplates`. */
export async function diffTemplates(
  oldTemplate: Template,
  newTemplate: Template,
  policy: Policy = DEFAULT_POLICY,
): Promise<Evaluation> {
  const changes = await changesFromTemplates(oldTemplate, newTemplate);
  return evaluate(
    [
      {
        ChangeSetId: TEMPLATE_DIFF_CHANGE_SET_ID,
        ChangeSetName: TEMPLATE_DIFF_CHANGE_SET_ID,
        Changes: changes,
      },
    ],
    policy,
  );
}
