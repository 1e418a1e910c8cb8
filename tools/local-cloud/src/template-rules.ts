import { isRecord, type Template } from '@cfn-safe-deploy/changeset-policy';
import type { TemplateProblem } from './template-checks.js';

/**
 * What CloudFormation evaluates before it touches a stack (CreateStack, UpdateStack,
 * CreateChangeSet) and moto does not: the values of `AWS::SSM::Parameter::Value<…>` parameters
 * (read from SSM, refused when the parameter does not exist) and the template's `Rules` section
 * (each rule's `RuleCondition`, then its `Assertions`; a false assertion is refused with its
 * `AssertDescription`). CDK's default synthesizer emits one such rule, `CheckBootstrapVersion`,
 * over the `BootstrapVersion` SSM parameter.
 *
 * The rule functions: `Fn::And`, `Fn::Or`, `Fn::Not`, `Fn::Equals`, `Fn::If` (with the template's
 * `Conditions` not evaluated: a rule naming a condition cannot be decided), `Fn::Contains`,
 * `Fn::EachMemberEquals`, `Fn::EachMemberIn`, `Fn::RefAll`, `Fn::ValueOf`, `Fn::ValueOfAll`, `Ref`
 * to a parameter or pseudo parameter. A rule that names anything else cannot be decided here and
 * is not enforced (moto goes on), rather than refusing a template AWS may take.
 */

/** A parameter's resolved value: a string, or a list for `List<…>` / `CommaDelimitedList` types. */
export type ParameterValue = string | readonly string[];

export interface RuleInputs {
  /** The values the request gives (`Parameters.member.N`). */
  readonly given: ReadonlyMap<string, string>;
  /** The parameters the request keeps (`UsePreviousValue`), with the stack's current value. */
  readonly previous: ReadonlyMap<string, string>;
  /** The value of an SSM parameter, or undefined when it does not exist. */
  readonly ssmParameter: (name: string) => Promise<string | undefined>;
}

const SSM_TYPE = /^AWS::SSM::Parameter::Value<(.+)>$/;

class Undecidable extends Error {}

function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<');
}

function split(value: string): string[] {
  return value === '' ? [] : value.split(',').map((item) => item.trim());
}

/**
 * The parameters' values as CloudFormation resolves them, or the ValidationError of an SSM
 * parameter that does not exist ("Unable to fetch parameters [name] from parameter store for this
 * account.", as AWS answers). A parameter with no value is left out (moto reports it).
 */
export async function resolveParameters(
  template: Template,
  inputs: RuleInputs,
): Promise<Map<string, ParameterValue> | TemplateProblem> {
  const declared = isRecord(template.Parameters) ? template.Parameters : {};
  const values = new Map<string, ParameterValue>();
  const missing: string[] = [];
  for (const [name, declaration] of Object.entries(declared)) {
    if (!isRecord(declaration)) continue;
    const type = typeof declaration.Type === 'string' ? declaration.Type : 'String';
    const fallback = declaration.Default === undefined ? undefined : String(declaration.Default);
    const raw = inputs.given.get(name) ?? inputs.previous.get(name) ?? fallback;
    if (raw === undefined) continue;
    const ssm = SSM_TYPE.exec(type);
    if (ssm !== null && !inputs.previous.has(name)) {
      const resolved = await inputs.ssmParameter(raw);
      if (resolved === undefined) {
        missing.push(raw);
        continue;
      }
      values.set(name, isListType(ssm[1] ?? '') ? split(resolved) : resolved);
      continue;
    }
    values.set(name, isListType(type) ? split(raw) : raw);
  }
  if (missing.length > 0) {
    return {
      code: 'ValidationError',
      message: `Unable to fetch parameters [${missing.join(',')}] from parameter store for this account.`,
    };
  }
  return values;
}

type RuleValue = boolean | string | readonly RuleValue[];

function evaluate(
  expression: unknown,
  parameters: ReadonlyMap<string, ParameterValue>,
  pseudo: Readonly<Record<string, string>>,
): RuleValue {
  if (typeof expression === 'string' || typeof expression === 'boolean') return expression;
  if (typeof expression === 'number') return String(expression);
  if (Array.isArray(expression)) return expression.map((item) => evaluate(item, parameters, pseudo));
  if (!isRecord(expression)) throw new Undecidable('an empty value');
  const entries = Object.entries(expression);
  if (entries.length !== 1) throw new Undecidable('an object that is not one function');
  const [name, args] = entries[0] as [string, unknown];
  const list = (value: unknown): readonly RuleValue[] => {
    const result = evaluate(value, parameters, pseudo);
    if (!Array.isArray(result)) throw new Undecidable(`${name} over a value that is not a list`);
    return result;
  };
  const bool = (value: unknown): boolean => {
    const result = evaluate(value, parameters, pseudo);
    if (typeof result === 'boolean') return result;
    if (result === 'true' || result === 'false') return result === 'true';
    throw new Undecidable(`${name} over a value that is not a condition`);
  };
  const argsList = Array.isArray(args) ? args : [args];
  switch (name) {
    case 'Ref': {
      if (typeof args !== 'string') throw new Undecidable('a Ref to a non-name');
      const value = parameters.get(args) ?? pseudo[args];
      if (value === undefined) throw new Undecidable(`a Ref to ${args}, which has no value`);
      return value;
    }
    case 'Fn::Not':
      return !bool(argsList[0]);
    case 'Fn::And':
      return argsList.every((item) => bool(item));
    case 'Fn::Or':
      return argsList.some((item) => bool(item));
    case 'Fn::Equals': {
      const [left, right] = argsList.map((item) => evaluate(item, parameters, pseudo));
      return JSON.stringify(left) === JSON.stringify(right);
    }
    case 'Fn::If': {
      throw new Undecidable('Fn::If (conditions are not evaluated in rules here)');
    }
    case 'Fn::Contains': {
      const [haystack, needle] = argsList;
      const value = evaluate(needle, parameters, pseudo);
      return list(haystack).some((item) => JSON.stringify(item) === JSON.stringify(value));
    }
    case 'Fn::EachMemberEquals': {
      const [members, value] = argsList;
      const expected = evaluate(value, parameters, pseudo);
      return list(members).every((item) => JSON.stringify(item) === JSON.stringify(expected));
    }
    case 'Fn::EachMemberIn': {
      const [members, allowed] = argsList;
      const pool = list(allowed).map((item) => JSON.stringify(item));
      return list(members).every((item) => pool.includes(JSON.stringify(item)));
    }
    case 'Fn::RefAll':
    case 'Fn::ValueOf':
    case 'Fn::ValueOfAll':
      throw new Undecidable(`${name} (needs the account's resources)`);
    default:
      throw new Undecidable(name);
  }
}

/**
 * The first failed assertion of the template's `Rules` as CloudFormation refuses it (a
 * ValidationError with the assertion's `AssertDescription`, else "Assertion failed for rule
 * NAME"), or undefined when every rule holds. `log` hears of rules that cannot be decided.
 */
export function failedRule(
  template: Template,
  parameters: ReadonlyMap<string, ParameterValue>,
  pseudo: Readonly<Record<string, string>>,
  log: (message: string) => void = () => undefined,
): TemplateProblem | undefined {
  const rules = isRecord(template.Rules) ? template.Rules : {};
  for (const [ruleName, rule] of Object.entries(rules)) {
    if (!isRecord(rule)) continue;
    try {
      if (rule.RuleCondition !== undefined) {
        const applies = evaluate(rule.RuleCondition, parameters, pseudo);
        if (applies === false || applies === 'false') continue;
      }
      const assertions = Array.isArray(rule.Assertions) ? rule.Assertions : [];
      for (const assertion of assertions) {
        if (!isRecord(assertion)) continue;
        const holds = evaluate(assertion.Assert, parameters, pseudo);
        if (holds === false || holds === 'false') {
          const description =
            typeof assertion.AssertDescription === 'string'
              ? assertion.AssertDescription
              : `Assertion failed for rule ${ruleName}`;
          return { code: 'ValidationError', message: description };
        }
      }
    } catch (error) {
      if (!(error instanceof Undecidable)) throw error;
      log(`CloudFormation front: rule ${ruleName} is not enforced: it uses ${error.message}`);
    }
  }
  return undefined;
}
