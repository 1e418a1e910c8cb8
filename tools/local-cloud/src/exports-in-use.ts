import {
  type CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
} from '@aws-sdk/client-cloudformation';
import { isRecord, parseTemplate } from '@cfn-safe-deploy/changeset-policy';

/**
 * What moto lacks of cross-stack references (it deletes a stack, or removes an export, whatever
 * imports it, and has no ListImports): the stacks that import an export, read from the templates
 * of the stacks moto holds (each literal `Fn::ImportValue` name, as CDK writes them; an import
 * whose name is computed is not seen).
 */

/** The literal export names a template imports. */
export function importedNames(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) importedNames(item, found);
  } else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Fn::ImportValue' && typeof inner === 'string') found.add(inner);
      else importedNames(inner, found);
    }
  }
  return found;
}

/** The literal export names a template's Outputs declare. */
export function exportedNames(template: Record<string, unknown>): Set<string> {
  const outputs = isRecord(template.Outputs) ? template.Outputs : {};
  const names = new Set<string>();
  for (const output of Object.values(outputs)) {
    if (!isRecord(output) || !isRecord(output.Export)) continue;
    if (typeof output.Export.Name === 'string') names.add(output.Export.Name);
  }
  return names;
}

/** The exports moto lists for the stack `stackId`. */
export async function exportsOf(moto: CloudFormationClient, stackId: string): Promise<Set<string>> {
  const names = new Set<string>();
  let token: string | undefined;
  do {
    const page = await moto.send(
      new ListExportsCommand({ ...(token === undefined ? {} : { NextToken: token }) }),
    );
    for (const entry of page.Exports ?? []) {
      if (entry.ExportingStackId === stackId && entry.Name !== undefined) names.add(entry.Name);
    }
    token = page.NextToken;
  } while (token !== undefined);
  return names;
}

/** Export name → the names of the stacks (other than `exceptStackId`) whose template imports it. */
export async function importers(
  moto: CloudFormationClient,
  exceptStackId?: string,
): Promise<Map<string, string[]>> {
  const stacks = (await moto.send(new DescribeStacksCommand({}))).Stacks ?? [];
  const byExport = new Map<string, string[]>();
  for (const stack of stacks) {
    if (stack.StackId === undefined || stack.StackId === exceptStackId) continue;
    if (stack.StackStatus === 'DELETE_COMPLETE') continue;
    let body: string | undefined;
    try {
      body = (await moto.send(new GetTemplateCommand({ StackName: stack.StackId }))).TemplateBody;
    } catch {
      continue;
    }
    if (body === undefined) continue;
    let template: Record<string, unknown>;
    try {
      template = await parseTemplate(body, stack.StackName ?? stack.StackId);
    } catch {
      continue;
    }
    for (const name of importedNames(template.Resources ?? {}, importedNames(template.Outputs ?? {}))) {
      byExport.set(name, [...(byExport.get(name) ?? []), stack.StackName ?? stack.StackId]);
    }
  }
  return byExport;
}

/**
 * CloudFormation's reason for refusing to remove `removed` exports of the stack `stackId`, or
 * undefined when no other stack imports any of them: "Export NAME cannot be deleted as it is in
 * use by STACK [and STACK…]" (the first such export).
 */
export async function exportInUseReason(
  moto: CloudFormationClient,
  stackId: string,
  removed: ReadonlySet<string>,
): Promise<string | undefined> {
  if (removed.size === 0) return undefined;
  const users = await importers(moto, stackId);
  for (const name of removed) {
    const stacks = users.get(name);
    if (stacks !== undefined && stacks.length > 0) {
      return `Export ${name} cannot be deleted as it is in use by ${stacks.join(' and ')}`;
    }
  }
  return undefined;
}
