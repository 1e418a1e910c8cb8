import { parseTemplate } from '@cfn-safe-deploy/changeset-policy';

/**
 * Resource types whose name CloudFormation generates when the template gives none, but which moto
 * cannot create without one (moto 5.2.1 answers HTTP 500 and leaves the stack CREATE_IN_PROGRESS),
 * with the property that carries the name.
 */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::SSM::Parameter': 'Name',
};

/** SSM parameter names: letters, digits and `_.-/`, at most 1,011 characters under a path. */
function generatedName(stackName: string, logicalId: string): string {
  return `${stackName}-${logicalId}`.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 1011);
}

/**
 * The template as moto can create it: every resource of NAME_PROPERTIES without a name gets the one
 * CloudFormation would generate, `<stack>-<logical id>` (the same on every update, so no change set
 * sees a rename). Returns undefined when nothing needs a name, so the template passes unchanged.
 */
export async function withGeneratedNames(body: string, stackName: string): Promise<string | undefined> {
  let template: Record<string, unknown>;
  try {
    template = await parseTemplate(body, 'the template');
  } catch {
    return undefined; // not ours to judge: moto answers with its own validation error
  }
  const resources = template.Resources;
  if (resources === null || typeof resources !== 'object') return undefined;
  let changed = false;
  for (const [logicalId, resource] of Object.entries(resources as Record<string, unknown>)) {
    if (resource === null || typeof resource !== 'object') continue;
    const { Type: type, Properties: properties } = resource as { Type?: unknown; Properties?: unknown };
    const nameProperty = typeof type === 'string' ? NAME_PROPERTIES[type] : undefined;
    if (nameProperty === undefined) continue;
    const props = (properties !== null && typeof properties === 'object' ? properties : {}) as Record<
      string,
      unknown
    >;
    if (props[nameProperty] !== undefined) continue;
    (resource as Record<string, unknown>).Properties = {
      ...props,
      [nameProperty]: generatedName(stackName, logicalId),
    };
    changed = true;
  }
  return changed ? JSON.stringify(template) : undefined;
}
