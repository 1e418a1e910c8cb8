import { readFileSync } from 'node:fs';
import { FindingSchema, VerdictSchema } from '@cfn-safe-deploy/changeset-policy';
import type { AslDefinition } from '@cfn-safe-deploy/state-machine';
import {
  describeOutcome,
  type Outcome,
  OutcomeSchema,
  parseJsonText,
  parseWith,
} from '@cfn-safe-deploy/state-payloads';
import * as z from 'zod/mini';
import type { InspectionView } from './deploy-record.js';
import { UsageError } from './errors.js';
import type { FunctionLogLine } from './log-capture.js';
import { maskSecretsInText, redact } from './masking.js';
import type { DeployRecord } from './session.js';
import type { StateRun } from './step-functions.js';

/**
 * A saved run (`safe-deploy deploy --save RUN.json`): everything the report shows, secrets already
 * masked, so that `safe-deploy report RUN.json` can rebuild the page later, on another machine.
 * Several stacks (a cloud assembly) are a list, in deployment order; today's deploy saves one.
 */
export const RUN_FORMAT = 'safe-deploy-run/1';

/** At most this many log lines are kept per state run, each cut at MAX_LOG_LINE characters. */
export const MAX_LOG_LINES = 200;
export const MAX_LOG_LINE = 4000;

const count = () => z.number().check(z.int(), z.minimum(0));

/** One state of the machine as the report draws it: its transitions, Catches and Retries. */
const MachineStateSchema = z.strictObject({
  type: z.string(),
  next: z.optional(z.string()),
  end: z.optional(z.boolean()),
  /** Choice rules in order: the target and the condition in words. */
  choices: z.optional(z.array(z.strictObject({ next: z.string(), when: z.string() }))),
  default: z.optional(z.string()),
  catches: z.optional(z.array(z.strictObject({ errors: z.array(z.string()), next: z.string() }))),
  retries: z.optional(z.array(z.strictObject({ errors: z.array(z.string()), maxAttempts: count() }))),
  /** The function a Task invokes. */
  function: z.optional(z.string()),
});
export type MachineState = z.infer<typeof MachineStateSchema>;

const MachineSchema = z.strictObject({
  startAt: z.string(),
  states: z.record(z.string(), MachineStateSchema),
});
export type Machine = z.infer<typeof MachineSchema>;

const SavedStateRunSchema = z.strictObject({
  name: z.string(),
  type: z.string(),
  /** Epoch milliseconds. */
  enteredAt: z.number(),
  exitedAt: z.optional(z.number()),
  input: z.unknown(),
  output: z.optional(z.unknown()),
  error: z.optional(z.string()),
  cause: z.optional(z.string()),
  retries: count(),
  /** The lines its function logged while this state ran (Tasks only). */
  logs: z.array(z.string()),
});
export type SavedStateRun = z.infer<typeof SavedStateRunSchema>;

const AttemptedStackSchema = z.strictObject({
  status: z.literal('attempted'),
  /** The stack the revision went to (the blue/green stack when one was created); '' when unknown. */
  stackName: z.string(),
  stackStatus: z.string(),
  executionArn: z.optional(z.string()),
  /** NOT_STARTED when the Trigger failed the job before starting an execution. */
  executionStatus: z.string(),
  verdict: z.optional(VerdictSchema),
  findings: z.array(FindingSchema),
  allowed: z.array(FindingSchema),
  outcome: z.optional(OutcomeSchema),
  message: z.string(),
  states: z.array(SavedStateRunSchema),
});
export type AttemptedStack = z.infer<typeof AttemptedStackSchema>;

const NotAttemptedStackSchema = z.strictObject({
  status: z.literal('not-attempted'),
  stackName: z.string(),
  /** Why it was not deployed, in words (e.g. "an earlier stack failed"). */
  reason: z.string(),
});
export type NotAttemptedStack = z.infer<typeof NotAttemptedStackSchema>;

const StackRunSchema = z.discriminatedUnion('status', [AttemptedStackSchema, NotAttemptedStackSchema]);
export type StackRun = z.infer<typeof StackRunSchema>;

export const SavedRunSchema = z.strictObject({
  format: z.literal(RUN_FORMAT),
  result: z.enum(['Succeeded', 'Failed']),
  /** What the pipeline action said (the failure message or the success summary). */
  message: z.string(),
  jobId: z.string(),
  source: z.string(),
  inputFile: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  triggerInvocations: count(),
  machine: MachineSchema,
  stacks: z.array(StackRunSchema).check(z.minLength(1)),
});
export type SavedRun = z.infer<typeof SavedRunSchema>;

// ------------------------------------------------------------------------------------------------
// The machine from the synthesized ASL

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const OPERATORS: Record<string, string> = {
  StringEquals: '=',
  NumericEquals: '=',
  BooleanEquals: '=',
  TimestampEquals: '=',
  StringLessThan: '<',
  NumericLessThan: '<',
  NumericGreaterThan: '>',
  StringGreaterThan: '>',
  NumericLessThanEquals: '≤',
  NumericGreaterThanEquals: '≥',
  StringMatches: '~',
};

/** A Choice rule in words, short: `next = "create"`, `blueGreen present`, `a & b`. */
export function describeChoiceRule(rule: unknown): string {
  const fields = record(rule) ?? {};
  if (Array.isArray(fields.And)) return fields.And.map(describeChoiceRule).join(' & ');
  if (Array.isArray(fields.Or)) return fields.Or.map(describeChoiceRule).join(' | ');
  if (fields.Not !== undefined) return `not (${describeChoiceRule(fields.Not)})`;
  if (typeof fields.Condition === 'string') return fields.Condition;
  const variable = typeof fields.Variable === 'string' ? (fields.Variable.split('.').at(-1) ?? '') : '?';
  const test = Object.entries(fields).find(([key]) => key !== 'Variable' && key !== 'Next');
  if (test === undefined) return variable;
  const [operator, value] = test;
  if (operator === 'IsPresent') return value === true ? `${variable} present` : `${variable} absent`;
  if (operator.startsWith('Is'))
    return `${variable} ${value === true ? 'is' : 'is not'} ${operator.slice(2)}`;
  const symbol = OPERATORS[operator.replace(/Path$/, '')] ?? operator;
  return `${variable} ${symbol} ${JSON.stringify(value)}`;
}

/** The graph the report draws, from the synthesized definition and each Task's function. */
export function machineOf(
  definition: AslDefinition,
  taskFunctions: Readonly<Record<string, string>>,
): Machine {
  const states: Record<string, MachineState> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    const choices = Array.isArray(state.Choices)
      ? state.Choices.flatMap((rule: unknown) => {
          const next = record(rule)?.Next;
          return typeof next === 'string' ? [{ next, when: describeChoiceRule(rule) }] : [];
        })
      : undefined;
    const catches = Array.isArray(state.Catch)
      ? state.Catch.flatMap((catcher: unknown) => {
          const fields = record(catcher);
          return typeof fields?.Next === 'string'
            ? [{ errors: stringsOf(fields.ErrorEquals), next: fields.Next }]
            : [];
        })
      : undefined;
    const retries = Array.isArray(state.Retry)
      ? state.Retry.map((retrier: unknown) => {
          const fields = record(retrier);
          // ASL's default MaxAttempts is 3.
          const maxAttempts = typeof fields?.MaxAttempts === 'number' ? fields.MaxAttempts : 3;
          return { errors: stringsOf(fields?.ErrorEquals), maxAttempts };
        })
      : undefined;
    const fn = taskFunctions[name];
    states[name] = {
      type: state.Type,
      ...(typeof state.Next === 'string' ? { next: state.Next } : {}),
      ...(state.End === true ? { end: true } : {}),
      ...(choices === undefined ? {} : { choices }),
      ...(typeof state.Default === 'string' ? { default: state.Default } : {}),
      ...(catches === undefined ? {} : { catches }),
      ...(retries === undefined ? {} : { retries }),
      ...(fn === undefined ? {} : { function: fn }),
    };
  }
  return { startAt: definition.StartAt, states };
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

// ------------------------------------------------------------------------------------------------
// A deployment as a saved run

/** The lines `fn` logged while `state` ran (between its entry and its exit), masked and bounded. */
export function logsOfState(
  state: Pick<StateRun, 'enteredAt' | 'exitedAt'>,
  fn: string | undefined,
  logs: readonly FunctionLogLine[],
): string[] {
  if (fn === undefined) return [];
  const until = state.exitedAt ?? Number.POSITIVE_INFINITY;
  const lines = logs
    .filter((line) => line.source === fn && line.at >= state.enteredAt && line.at <= until)
    .map((line) => {
      const text = maskSecretsInText(line.text.replace(/\n$/, ''));
      return text.length > MAX_LOG_LINE ? `${text.slice(0, MAX_LOG_LINE - 1)}…` : text;
    });
  return lines.length > MAX_LOG_LINES
    ? [...lines.slice(0, MAX_LOG_LINES), `… ${lines.length - MAX_LOG_LINES} more lines`]
    : lines;
}

/** One deployment (one stack) as a saved run: inputs, outputs and log lines masked. */
export function savedRunOf(
  deployment: DeployRecord,
  definition: {
    readonly definition: AslDefinition;
    readonly taskFunctions: Readonly<Record<string, string>>;
  },
): SavedRun {
  const { summary } = deployment;
  const machine = machineOf(definition.definition, definition.taskFunctions);
  const statesOf = (states: readonly StateRun[]): SavedStateRun[] =>
    states.map((state) => ({
      name: state.name,
      type: state.type,
      enteredAt: state.enteredAt,
      ...(state.exitedAt === undefined ? {} : { exitedAt: state.exitedAt }),
      input: redact(state.input),
      ...(state.output === undefined ? {} : { output: redact(state.output) }),
      ...(state.error === undefined ? {} : { error: state.error }),
      ...(state.cause === undefined ? {} : { cause: maskSecretsInText(state.cause) }),
      retries: state.retries,
      logs: logsOfState(state, machine.states[state.name]?.function, deployment.logs),
    }));
  const attempted = (
    fields: Omit<AttemptedStack, 'status' | 'verdict' | 'findings' | 'allowed' | 'outcome' | 'states'>,
    inspection: InspectionView | undefined,
    outcome: Outcome | undefined,
    states: readonly StateRun[],
  ): AttemptedStack => ({
    status: 'attempted',
    ...fields,
    ...(inspection === undefined ? {} : { verdict: VerdictSchema.parse(inspection.verdict) }),
    findings: inspection?.findings ?? [],
    allowed: inspection?.allowed ?? [],
    ...(outcome === undefined ? {} : { outcome }),
    states: statesOf(states),
  });
  const { assembly } = deployment;
  const stacks: StackRun[] =
    assembly === undefined || assembly.attempted.length === 0
      ? [
          attempted(
            {
              stackName: summary.stackName,
              stackStatus: summary.stackStatus,
              ...(deployment.executionArn === undefined ? {} : { executionArn: deployment.executionArn }),
              executionStatus: summary.executionStatus,
              message: summary.message,
            },
            deployment.inspection,
            deployment.outcome,
            deployment.states,
          ),
        ]
      : [
          ...assembly.attempted.map((stack, index) =>
            attempted(
              {
                stackName: stack.stackName,
                stackStatus: stack.stackStatus,
                executionArn: stack.executionArn,
                executionStatus: stack.executionStatus,
                message:
                  index === assembly.attempted.length - 1
                    ? summary.message
                    : stack.outcome === undefined
                      ? `The execution ended ${stack.executionStatus}.`
                      : describeOutcome(stack.outcome),
              },
              stack.inspection,
              stack.outcome,
              stack.states,
            ),
          ),
          ...assembly.notAttempted.map(
            (stackName): StackRun => ({
              status: 'not-attempted',
              stackName,
              reason: `the stack before it, ${assembly.attempted.at(-1)?.stackName ?? '?'}, did not succeed; it stays as it was`,
            }),
          ),
        ];
  return {
    format: RUN_FORMAT,
    result: summary.result,
    message: maskSecretsInText(summary.message),
    jobId: deployment.jobId,
    source: deployment.source,
    inputFile: deployment.inputFile,
    startedAt: deployment.startedAt.toISOString(),
    finishedAt: deployment.finishedAt.toISOString(),
    triggerInvocations: deployment.triggerInvocations,
    machine,
    stacks,
  };
}

/** Parses a saved run's text; the error names the file, each bad field and what was expected. */
export function parseSavedRun(text: string, file: string): SavedRun {
  const what = `${file} (a run saved with safe-deploy deploy --save)`;
  return parseWith(SavedRunSchema, parseJsonText(text, what, 'a JSON object'), what);
}

/**
 * Reads and checks a saved run: an unreadable file is a UsageError, an invalid one a
 * PayloadValidationError naming each bad field (the CLI exits 2 on both).
 */
export function readSavedRun(file: string): SavedRun {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseSavedRun(text, file);
}
