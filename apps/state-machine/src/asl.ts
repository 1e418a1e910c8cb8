import type { CfnElement } from 'aws-cdk-lib';
import type { Code } from 'aws-cdk-lib/aws-lambda';
import { createApp } from './app.js';
import { FUNCTION_NAMES, type FunctionName, placeholderFunctionCode } from './functions.js';
import { TASK_STATES, type TaskStateName } from './workflow/states.js';

/** The parts of an Amazon States Language definition that callers read; the rest is kept as is. */
export interface AslDefinition {
  readonly StartAt: string;
  readonly TimeoutSeconds?: number;
  readonly Comment?: string;
  readonly States: Record<string, AslState>;
}
export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Next?: string;
  readonly [field: string]: unknown;
}

export interface DeployDefinition {
  /** The ASL that would be deployed, with each function ARN replaced by `functionArn(name)`. */
  readonly definition: AslDefinition;
  /** Each Task state and the function package (packages/functions/<name>) it invokes. */
  readonly taskFunctions: Readonly<Record<TaskStateName, FunctionName>>;
}

export interface SynthesizeOptions {
  /**
   * Code of the functions while synthesizing; the definition does not depend on it.
   * @default placeholderFunctionCode (no build needed)
   */
  readonly functionCode?: (name: FunctionName) => Code;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
}

/** Thrown when the synthesized definition is not what this package expects. */
export class DefinitionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DefinitionError';
  }
}

/** The identifier that stands for a function in the exported ASL: a Lambda ARN named after the package. */
export function functionArn(name: FunctionName, region = 'us-east-1', account = '123456789012'): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
}

/** The function package a Resource ARN of the exported ASL names, if any. */
export function functionNameOf(resource: string): FunctionName | undefined {
  const name = resource.split(':').at(-1);
  return FUNCTION_NAMES.find((candidate) => candidate === name);
}

type CfnValue = string | { 'Fn::GetAtt'?: [string, string]; [key: string]: unknown };

function resolvePart(part: CfnValue, arnsByLogicalId: ReadonlyMap<string, string>): string {
  if (typeof part === 'string') return part;
  const getAtt = part['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') {
    const arn = arnsByLogicalId.get(getAtt[0]);
    if (arn) return arn;
  }
  throw new DefinitionError(
    `the state machine definition refers to ${JSON.stringify(part)}, which is not a task function's ARN`,
  );
}

/**
 * Synthesizes the state machine app (cdk-nag off, nothing written that is kept) and returns the
 * Deploy definition exactly as CloudFormation would receive it, function ARNs made readable.
 */
export function synthesizeDeployDefinition(options: SynthesizeOptions = {}): DeployDefinition {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '123456789012';
  const { app, stack } = createApp({
    nag: false,
    local: true,
    // The built-in CloudFormation validation (WASM) takes seconds and does not change the definition.
    appProps: { builtinCloudFormationValidation: false },
    stackProps: { env: { region, account }, functionCode: options.functionCode ?? placeholderFunctionCode },
  });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };

  const arnsByLogicalId = new Map<string, string>();
  for (const name of FUNCTION_NAMES) {
    arnsByLogicalId.set(
      stack.getLogicalId(stack.functions[name].node.defaultChild as CfnElement),
      functionArn(name, region, account),
    );
  }
  const machineId = stack.getLogicalId(stack.stateMachine.node.defaultChild as CfnElement);
  const definitionString = template.Resources[machineId]?.Properties?.DefinitionString as
    | string
    | { 'Fn::Join': [string, CfnValue[]] }
    | undefined;
  if (definitionString === undefined)
    throw new DefinitionError(`no DefinitionString on ${machineId} in the synthesized template`);
  const text =
    typeof definitionString === 'string'
      ? definitionString
      : definitionString['Fn::Join'][1]
          .map((part) => resolvePart(part, arnsByLogicalId))
          .join(definitionString['Fn::Join'][0]);
  const definition = JSON.parse(text) as AslDefinition;

  const taskFunctions: Partial<Record<TaskStateName, FunctionName>> = {};
  for (const [stateName, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const invoked = state.Resource ? functionNameOf(state.Resource) : undefined;
    if (!(stateName in TASK_STATES) || invoked === undefined) {
      throw new DefinitionError(
        `Task state "${stateName}" invokes ${JSON.stringify(state.Resource)}, which is not a known task function`,
      );
    }
    taskFunctions[stateName as TaskStateName] = invoked;
  }
  const missing = Object.keys(TASK_STATES).filter((name) => !(name in taskFunctions));
  if (missing.length > 0)
    throw new DefinitionError(`the definition lacks the Task states ${missing.join(', ')}`);
  return { definition, taskFunctions: taskFunctions as Record<TaskStateName, FunctionName> };
}
