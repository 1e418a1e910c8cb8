import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import { isRecord, parseTemplate, type Template } from '@cfn-safe-deploy/changeset-policy';

/**
 * The checks CloudFormation makes of a template before it accepts CreateStack, UpdateStack,
 * CreateChangeSet or ValidateTemplate, answered with its own error (`ValidationError`, "Template
 * format error: …"), which moto does not make: it answers an HTML 500 for a template it cannot
 * parse and creates resources of types that do not exist.
 *
 * Checked: the text is JSON or YAML (with the short tags); every resource type exists (AWS's
 * resource specification as bundled by @aws-cdk/aws-service-spec, custom resources and
 * `AWS::CloudFormation::CustomResource` aside); every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable and
 * `DependsOn` names a resource, a parameter or a pseudo parameter. A template with a `Transform`
 * is only parsed: a macro rewrites it before CloudFormation checks the rest.
 */

/** CloudFormation's answer to a template it refuses: the error code and AWS's message. */
export interface TemplateProblem {
  readonly code: 'ValidationError';
  readonly message: string;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

function formatError(detail: string): TemplateProblem {
  return { code: 'ValidationError', message: `Template format error: ${detail}` };
}

let knownTypes: Promise<(type: string) => boolean> | undefined;

/** Whether AWS's resource specification has `type` (loaded once, on first use). */
function resourceTypeExists(): Promise<(type: string) => boolean> {
  knownTypes ??= loadAwsServiceSpec().then(
    (db) => (type: string) => db.lookup('resource', 'cloudFormationType', 'equals', type).length > 0,
  );
  return knownTypes;
}

/**
 * Types CloudFormation takes that are not in the resource specification: `AWS::CDK::Metadata`, the
 * resource CDK adds for its usage analytics (CloudFormation records it and does nothing else).
 */
const TYPES_OUTSIDE_THE_SPECIFICATION = new Set(['AWS::CDK::Metadata']);

function isCustomType(type: string): boolean {
  return (
    type.startsWith('Custom::') ||
    type === 'AWS::CloudFormation::CustomResource' ||
    TYPES_OUTSIDE_THE_SPECIFICATION.has(type)
  );
}

/** The names a `Fn::Sub` string refers to (`${Name}`, `${Name.Attr}`), `${!Literal}` aside. */
function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)]
    .map((match) => (match[1] ?? '').trim())
    .filter((name) => name !== '' && !name.startsWith('!'));
}

interface Reference {
  readonly name: string;
  /** The intrinsic the name came from, for AWS's message. */
  readonly via: 'Ref' | 'Fn::GetAtt' | 'Fn::Sub';
}

/** Every Ref, GetAtt and Sub reference in `value`; a Sub's own variables map is not a reference. */
function referencesIn(value: unknown, found: Reference[] = []): Reference[] {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found);
    return found;
  }
  if (!isRecord(value)) return found;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string') {
      found.push({ name: inner, via: 'Ref' });
    } else if (key === 'Fn::GetAtt') {
      const target =
        typeof inner === 'string' ? inner.split('.')[0] : Array.isArray(inner) ? inner[0] : undefined;
      if (typeof target === 'string') found.push({ name: target, via: 'Fn::GetAtt' });
      else referencesIn(inner, found);
    } else if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(inner) ? inner : [inner, undefined];
      const own = new Set(isRecord(variables) ? Object.keys(variables) : []);
      if (typeof text === 'string') {
        for (const name of subVariables(text)) {
          const base = name.split('.')[0] ?? name;
          if (!own.has(name) && !own.has(base)) {
            found.push({ name: name.includes('::') ? name : base, via: 'Fn::Sub' });
          }
        }
      }
      referencesIn(variables, found);
    } else {
      referencesIn(inner, found);
    }
  }
  return found;
}

function dependsOnOf(resource: Record<string, unknown>): string[] {
  const dependsOn = resource.DependsOn;
  if (typeof dependsOn === 'string') return [dependsOn];
  return Array.isArray(dependsOn) ? dependsOn.filter((name): name is string => typeof name === 'string') : [];
}

function sectionOf(template: Template, name: string): Record<string, unknown> {
  const value = template[name];
  return isRecord(value) ? value : {};
}

/** The problems of a parsed template that CloudFormation reports before doing anything. */
async function problemOfTemplate(template: Template): Promise<TemplateProblem | undefined> {
  if (template.Transform !== undefined) return undefined;
  const resources = sectionOf(template, 'Resources');
  const exists = await resourceTypeExists();
  const unknown = Object.values(resources)
    .map((resource) => (isRecord(resource) && typeof resource.Type === 'string' ? resource.Type : ''))
    .filter((type) => type !== '' && !isCustomType(type) && !exists(type));
  if (unknown.length > 0) {
    return formatError(`Unrecognized resource types: [${[...new Set(unknown)].join(', ')}]`);
  }
  const parameters = new Set(Object.keys(sectionOf(template, 'Parameters')));
  const resourceIds = new Set(Object.keys(resources));
  const unresolved = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (!isRecord(resource)) continue;
    for (const target of dependsOnOf(resource)) if (!resourceIds.has(target)) unresolved.add(target);
    const inResource = { ...resource, DependsOn: undefined };
    for (const reference of referencesIn(inResource)) {
      if (reference.via === 'Fn::GetAtt' && !resourceIds.has(reference.name)) {
        return {
          code: 'ValidationError',
          message: `Template error: instance of Fn::GetAtt references undefined resource ${reference.name}`,
        };
      }
      if (
        !resourceIds.has(reference.name) &&
        !parameters.has(reference.name) &&
        !PSEUDO_PARAMETERS.has(reference.name)
      ) {
        unresolved.add(reference.name);
      }
    }
  }
  if (unresolved.size > 0) {
    return formatError(
      `Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`,
    );
  }
  for (const reference of referencesIn(sectionOf(template, 'Outputs'))) {
    const known =
      resourceIds.has(reference.name) ||
      parameters.has(reference.name) ||
      PSEUDO_PARAMETERS.has(reference.name);
    if (!known) {
      return reference.via === 'Fn::GetAtt'
        ? {
            code: 'ValidationError',
            message: `Template error: instance of Fn::GetAtt references undefined resource ${reference.name}`,
          }
        : formatError(
            `Unresolved resource dependencies [${reference.name}] in the Outputs block of the template`,
          );
    }
  }
  return undefined;
}

/**
 * What CloudFormation would answer to this template text, or undefined when it takes it. A parse
 * error is reported as AWS reports it ("JSON not well-formed" / "YAML not well-formed") with the
 * parser's own detail.
 */
export async function templateProblem(text: string): Promise<TemplateProblem | undefined> {
  let template: Template;
  try {
    template = await parseTemplate(text, 'the template');
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).replace(/^the template: /, '');
    const kind = text.trimStart().startsWith('{') ? 'JSON' : 'YAML';
    if (/^not valid (JSON|YAML): /.test(detail)) {
      return formatError(`${kind} not well-formed. (${detail.replace(/^not valid (JSON|YAML): /, '')})`);
    }
    return formatError(detail);
  }
  return problemOfTemplate(template);
}
