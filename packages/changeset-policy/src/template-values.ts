/**
 * What of a template is known before it is deployed: which parameters, mappings and conditions
 * a value depends on, whether a condition can be decided from the template alone, and whether a
 * value is only known at deploy time. Pure: no I/O, no AWS SDK, no recursion (templates of any depth).
 */

import { isRecord } from './guards.js';

/** A parsed CloudFormation template (JSON object). */
export type Template = Record<string, unknown>;

/** A template section (`Parameters`, `Mappings`, `Conditions`, `Resources`) as a map, `{}` when absent. */
export function section(template: Template, name: string): Record<string, unknown> {
  const value = template[name];
  return isRecord(value) ? value : {};
}

/** What a value refers to. */
export interface References {
  /** Names read with `Ref` or `${Name}`: parameters, or resources' physical ids. */
  readonly refs: Set<string>;
  /** Resources whose attributes are read with `Fn::GetAtt` or `${Resource.Attribute}`. */
  readonly attributes: Set<string>;
  readonly mappings: Set<string>;
  readonly conditions: Set<string>;
  /** It holds a dynamic reference (`{{resolve:ssm:…}}`, `{{resolve:secretsmanager:…}}`), resolved at deploy time. */
  dynamicReference: boolean;
}

/** `${Name}` and `${Resource.Attribute}` in an Fn::Sub string (`${!Literal}` is not a variable). */
const SUB_VARIABLE = /\$\{([^!}][^}]*)\}/g;

/** Everything `value` refers to: Ref, Fn::Sub variables, Fn::GetAtt, Fn::FindInMap, Fn::If and Condition. */
export function referencesOf(value: unknown): References {
  const out: References = {
    refs: new Set(),
    attributes: new Set(),
    mappings: new Set(),
    conditions: new Set(),
    dynamicReference: false,
  };
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (item.includes('{{resolve:')) out.dynamicReference = true;
      continue;
    }
    if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
      continue;
    }
    if (!isRecord(item)) continue;
    for (const [key, inner] of Object.entries(item)) {
      if (key === 'Ref' && typeof inner === 'string') out.refs.add(inner);
      else if (key === 'Condition' && typeof inner === 'string') out.conditions.add(inner);
      else if (key === 'Fn::If' && Array.isArray(inner) && typeof inner[0] === 'string') {
        out.conditions.add(inner[0]);
      } else if (key === 'Fn::FindInMap' && Array.isArray(inner) && typeof inner[0] === 'string') {
        out.mappings.add(inner[0]);
      } else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner)
          ? inner[0]
          : typeof inner === 'string'
            ? inner.split('.')[0]
            : undefined;
        if (typeof target === 'string') out.attributes.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string') {
          for (const match of text.matchAll(SUB_VARIABLE)) {
            const [name, attribute] = (match[1] ?? '').split('.');
            if (name?.trim()) (attribute === undefined ? out.refs : out.attributes).add(name.trim());
          }
        }
      }
      pending.push(inner);
    }
  }
  return out;
}

/**
 * The template with every `Fn::FindInMap` whose keys are literals replaced by the mapping's value in
 * its `Resources`, so that a changed mapping value is compared as the value it is (and a replacement
 * it causes is certain, not conditional). Lookups that read a parameter stay as they are.
 */
export function resolveStaticMappings(template: Template): Template {
  const mappings = section(template, 'Mappings');
  if (Object.keys(mappings).length === 0 || !isRecord(template.Resources)) return template;
  const resources = JSON.parse(JSON.stringify(template.Resources), (_key, value: unknown) => {
    if (!isRecord(value) || Object.keys(value).length !== 1 || !Array.isArray(value['Fn::FindInMap']))
      return value;
    const [map, first, second] = value['Fn::FindInMap'] as unknown[];
    if (typeof map !== 'string' || typeof first !== 'string' || typeof second !== 'string') return value;
    const row = isRecord(mappings[map]) ? (mappings[map] as Record<string, unknown>)[first] : undefined;
    const cell = isRecord(row) ? row[second] : undefined;
    return cell === undefined ? value : cell;
  }) as unknown;
  return { ...template, Resources: resources };
}

/** Parameters whose value comes from Systems Manager when the stack is deployed (it may differ each time). */
export function isSsmParameter(definition: unknown): boolean {
  return (
    isRecord(definition) &&
    typeof definition.Type === 'string' &&
    definition.Type.startsWith('AWS::SSM::Parameter::Value<')
  );
}

/** Three-valued truth: true, false, or undefined when it is known only at deploy time. */
export type Truth = boolean | undefined;

/** A literal that `Fn::Equals` can compare, or undefined when the value is known only at deploy time. */
function literal(template: Template, value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isRecord(value) && Array.isArray(value['Fn::FindInMap'])) {
    const [map, first, second] = value['Fn::FindInMap'] as unknown[];
    const keys = [map, first, second].map((key) => (typeof key === 'string' ? key : undefined));
    if (keys.some((key) => key === undefined)) return undefined;
    const mapping = section(template, 'Mappings')[keys[0] as string];
    const row = isRecord(mapping) ? mapping[keys[1] as string] : undefined;
    const cell = isRecord(row) ? row[keys[2] as string] : undefined;
    return typeof cell === 'string' || typeof cell === 'number' ? String(cell) : undefined;
  }
  return undefined;
}

/**
 * Decides a condition from the template alone: `Fn::Equals` of literals (and `Fn::FindInMap` with
 * literal keys), `Fn::Not`, `Fn::And`, `Fn::Or`, and `Condition` references. A `Ref` (a parameter or
 * a pseudo parameter) is known only at deploy time, and so is anything this does not model.
 * A condition that refers to itself is unknown.
 */
export function conditionTruth(template: Template, name: string): Truth {
  const conditions = section(template, 'Conditions');
  const memo = new Map<string, Truth>();
  const evaluating = new Set<string>();
  const truthOfName = (conditionName: string): Truth => {
    if (memo.has(conditionName)) return memo.get(conditionName);
    if (evaluating.has(conditionName) || !(conditionName in conditions)) return undefined;
    evaluating.add(conditionName);
    const result = truthOf(conditions[conditionName]);
    evaluating.delete(conditionName);
    memo.set(conditionName, result);
    return result;
  };
  const truthOf = (expression: unknown): Truth => {
    if (!isRecord(expression)) return undefined;
    const [key, args] = Object.entries(expression)[0] ?? [];
    if (Object.keys(expression).length !== 1) return undefined;
    if (key === 'Condition') return typeof args === 'string' ? truthOfName(args) : undefined;
    if (!Array.isArray(args)) return undefined;
    switch (key) {
      case 'Fn::Equals': {
        const [a, b] = args.map((arg) => literal(template, arg));
        return a === undefined || b === undefined ? undefined : a === b;
      }
      case 'Fn::Not': {
        const inner = truthOf(args[0]);
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And': {
        const values = args.map(truthOf);
        if (values.includes(false)) return false;
        return values.every((v) => v === true) ? true : undefined;
      }
      case 'Fn::Or': {
        const values = args.map(truthOf);
        if (values.includes(true)) return true;
        return values.every((v) => v === false) ? false : undefined;
      }
      default:
        return undefined;
    }
  };
  return truthOfName(name);
}

/**
 * The names a template's values depend on that may have another value in `newer` than in `older`, or
 * that are known only at deploy time: parameters whose definition changed (a new `Default`, …) or that
 * read Systems Manager, mappings that changed, and conditions that use either or whose expression
 * changed (followed through `Condition` references).
 */
export interface Volatile {
  readonly parameters: ReadonlySet<string>;
  readonly mappings: ReadonlySet<string>;
  readonly conditions: ReadonlySet<string>;
  /** Resources that get a new physical id (replaced, or Dynamic): their `Ref` and attributes change. */
  readonly replacedResources: ReadonlySet<string>;
  /** Resources updated in place: their attributes may change (their `Ref`, the physical id, does not). */
  readonly updatedResources: ReadonlySet<string>;
}

function changedKeys(older: Record<string, unknown>, newer: Record<string, unknown>): Set<string> {
  const keys = new Set([...Object.keys(older), ...Object.keys(newer)]);
  return new Set([...keys].filter((key) => JSON.stringify(older[key]) !== JSON.stringify(newer[key])));
}

export function volatileNames(older: Template, newer: Template): Volatile {
  const newParameters = section(newer, 'Parameters');
  const parameters = changedKeys(section(older, 'Parameters'), newParameters);
  for (const [name, definition] of Object.entries(newParameters))
    if (isSsmParameter(definition)) parameters.add(name);
  const mappings = changedKeys(section(older, 'Mappings'), section(newer, 'Mappings'));

  // A condition is volatile when its own expression changed or when it uses a volatile name;
  // conditions that use volatile conditions are found by iterating to a fixed point (no recursion).
  const newConditions = section(newer, 'Conditions');
  const conditions = changedKeys(section(older, 'Conditions'), newConditions);
  const uses = new Map(
    Object.entries(newConditions).map(([name, expression]) => [name, referencesOf(expression)]),
  );
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, refs] of uses) {
      if (conditions.has(name)) continue;
      const volatile =
        [...refs.refs].some((ref) => parameters.has(ref)) ||
        [...refs.mappings].some((map) => mappings.has(map)) ||
        [...refs.conditions].some((condition) => conditions.has(condition));
      if (volatile) {
        conditions.add(name);
        grew = true;
      }
    }
  }
  return { parameters, mappings, conditions, replacedResources: new Set(), updatedResources: new Set() };
}

/** Whether a value depends on something volatile, or holds a dynamic reference. */
export function dependsOnVolatile(value: unknown, volatile: Volatile): boolean {
  const refs = referencesOf(value);
  return (
    refs.dynamicReference ||
    [...refs.refs].some((ref) => volatile.parameters.has(ref) || volatile.replacedResources.has(ref)) ||
    [...refs.attributes].some(
      (resource) => volatile.replacedResources.has(resource) || volatile.updatedResources.has(resource),
    ) ||
    [...refs.mappings].some((map) => volatile.mappings.has(map)) ||
    [...refs.conditions].some((condition) => volatile.conditions.has(condition))
  );
}
