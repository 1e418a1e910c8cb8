import { readFileSync } from 'node:fs';
import { TASK_NAMES, Tasks } from '@cfn-safe-deploy/state-payloads';
import { z } from 'zod';
import { UsageError } from './errors.js';

/**
 * The faults file of `safe-deploy deploy --faults FILE` (and the `faults` option of LocalCloud):
 * what the emulator makes slow or makes fail, the way AWS does. The keys are a contract
 * (docs/contracts.md, "The faults file"); an unknown key or value is refused, naming it.
 */

/** The functions a fault can name: every task function package, and the Trigger. */
export const FAULTABLE_FUNCTIONS: readonly string[] = [
  ...TASK_NAMES.map((task) => Tasks[task].functionName),
  'trigger',
];

const FUNCTION_NAME = z.string().refine((name) => FAULTABLE_FUNCTIONS.includes(name), {
  message: `expected a function name: ${FAULTABLE_FUNCTIONS.join(', ')}`,
});
const HOW_OFTEN = z.enum(['once', 'always']);
const SHARE = z.number().min(0).max(1);

export const FaultsSchema = z.strictObject({
  /** How long each stack operation and each change-set creation takes, in ms. @default 200 */
  operationMs: z.number().int().min(0).max(3_600_000).optional(),
  /** The share (0–1) of calls to a service answered with AWS's throttling error. */
  throttle: z
    .strictObject({
      cloudformation: SHARE.optional(),
      s3: SHARE.optional(),
      stepfunctions: SHARE.optional(),
      codepipeline: SHARE.optional(),
    })
    .optional(),
  /** Resources (logical ids) whose `create` or `update` fails. */
  failResources: z.record(z.string().min(1), z.enum(['create', 'update'])).optional(),
  /** A task function (by package name, or `trigger`) that throws, `once` or `always`. */
  crash: z.record(FUNCTION_NAME, HOW_OFTEN).optional(),
  /** A task function that runs past its timeout, `once` or `always`. */
  hang: z.record(FUNCTION_NAME, HOW_OFTEN).optional(),
  /** CodePipeline delivers each Trigger invocation twice. */
  duplicateTrigger: z.boolean().optional(),
  /** The execution is stopped from outside this many ms after it starts. */
  stopExecutionAfterMs: z.number().int().min(0).optional(),
  /** The execution is stopped from outside when it enters this state (deterministic, unlike a time). */
  stopExecutionAtState: z.string().min(1).optional(),
  /** Seed of the random draws (throttling): the same seed, the same faults. @default 1 */
  seed: z.number().int().optional(),
  /** A function's timeout is its configured timeout times this (so a hang ends quickly). @default 0.01 */
  timeoutScale: z.number().positive().max(1).optional(),
});

export type Faults = z.infer<typeof FaultsSchema>;

function describe(issue: z.core.$ZodIssue, value: unknown): string {
  const path = issue.path.map(String).join('.');
  const key = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => `"${k}"`).join(', ') : '';
  if (issue.code === 'unrecognized_keys') {
    return `${path === '' ? '' : `${path}: `}unknown key ${key} (expected one of the documented keys)`;
  }
  let bad: unknown = value;
  for (const part of issue.path) {
    bad = bad !== null && typeof bad === 'object' ? (bad as Record<PropertyKey, unknown>)[part] : undefined;
  }
  // A refused record key is reported on the key itself.
  if (issue.code === 'invalid_key') {
    return `${path}: ${issue.issues.map((inner) => inner.message).join('; ')} (got "${String(issue.path.at(-1))}")`;
  }
  return `${path || '(top)'}: ${issue.message} (got ${JSON.stringify(bad)})`;
}

/** Checks a parsed faults document. @throws UsageError naming each bad key and what was expected. */
export function parseFaults(value: unknown, source = 'the faults'): Faults {
  const result = FaultsSchema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageError(
    `${source} file is invalid: ${result.error.issues.map((issue) => describe(issue, value)).join('; ')}`,
  );
}

/** Reads and checks a faults file. @throws UsageError (exit 2) naming the file and the bad key. */
export function readFaultsFile(path: string): Faults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--faults ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--faults ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseFaults(value, `--faults ${path}:`);
}
