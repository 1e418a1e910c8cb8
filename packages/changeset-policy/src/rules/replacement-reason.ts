import type { ResourceChange } from '../schemas.js';

/** `Properties`/`TableName` → `TableName`; another attribute (e.g. `Tags`) keeps its name. */
function targetName(
  attribute: string | null | undefined,
  name: string | null | undefined,
): string | undefined {
  if (attribute === 'Properties' || attribute === undefined || attribute === null) return name ?? undefined;
  return name ? `${attribute} ${name}` : attribute;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * The part of a replacement reason that names what causes it, from `Details[].Target`: the
 * properties whose `RequiresRecreation` is `Always` (or `Conditionally`, or `Always` with a
 * value only known at deploy time, for a conditional replacement).
 */
export function replacementCauses(change: ResourceChange, conditional: boolean): string {
  const always = new Set<string>();
  const maybe = new Set<string>();
  for (const detail of change.Details ?? []) {
    const target = detail.Target;
    if (!target) continue;
    const name = targetName(target.Attribute, target.Name);
    if (name === undefined) continue;
    if (target.RequiresRecreation === 'Always') {
      if (detail.Evaluation === 'Dynamic') maybe.add(`${name} (value known only at deploy time)`);
      else always.add(name);
    } else if (target.RequiresRecreation === 'Conditionally') {
      maybe.add(`${name} (requires recreation conditionally)`);
    }
  }
  const parts: string[] = [];
  if (always.size > 0) parts.push(`changing ${list([...always])} requires recreation`);
  if ((conditional || always.size === 0) && maybe.size > 0)
    parts.push(`changing ${list([...maybe])} may require recreation`);
  return parts.length > 0 ? `: ${parts.join('; ')}` : '';
}

export function replacementOutcome(policyAction: string | null | undefined): string {
  switch (policyAction) {
    case 'ReplaceAndRetain':
      return ' The old resource is retained (PolicyAction ReplaceAndRetain), but the stack moves to a new one.';
    case 'ReplaceAndSnapshot':
      return ' The old resource is deleted after a snapshot (PolicyAction ReplaceAndSnapshot).';
    case 'ReplaceAndDelete':
      return ' The old resource is deleted (PolicyAction ReplaceAndDelete).';
    default:
      return '';
  }
}
