import { type Finding, FindingSchema, VerdictSchema } from '@cfn-safe-deploy/changeset-policy';
import * as z from 'zod/mini';
import { type CaughtError, CaughtErrorSchema } from './results.js';

/** CodePipeline shows at most this many characters of a failure message. */
export const MAX_PIPELINE_MESSAGE = 5000;

const StackNameSchema = z.string().check(z.minLength(1));

/**
 * What an execution did, written by the state machine's last Pass state: the execution output on
 * success, the `Cause` (as JSON) on failure. The Trigger Lambda and `safe-deploy` turn it into words.
 */
export const OutcomeSchema = z.discriminatedUnion('result', [
  z.object({ result: z.literal('created'), stackName: StackNameSchema, stackId: z.optional(z.string()) }),
  z.object({ result: z.literal('updated'), stackName: StackNameSchema, stackId: z.optional(z.string()) }),
  z.object({ result: z.literal('no-changes'), stackName: StackNameSchema }),
  z.object({
    result: z.literal('blue-green'),
    stackName: StackNameSchema,
    blueGreenStackName: StackNameSchema,
    stackId: z.optional(z.string()),
    verdict: VerdictSchema,
    findings: z.array(FindingSchema),
    findingCount: z.number().check(z.int(), z.minimum(0)),
  }),
  z.object({
    result: z.literal('refused'),
    stackName: StackNameSchema,
    verdict: VerdictSchema,
    findings: z.array(FindingSchema),
    findingCount: z.number().check(z.int(), z.minimum(0)),
  }),
  z.object({
    result: z.literal('failed'),
    /** Which part of the workflow failed, in words: "stack creation", "change set creation", … */
    stage: z.string(),
    stackName: z.optional(StackNameSchema),
    reason: z.optional(z.string()),
    error: z.optional(CaughtErrorSchema),
  }),
]);
export type Outcome = z.infer<typeof OutcomeSchema>;

/** Reads a Lambda error's message out of a Step Functions cause (itself JSON when a Lambda threw). */
export function causeMessage(error: CaughtError): string {
  const cause = error.Cause ?? '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) {
      const message = (parsed as { errorMessage: unknown }).errorMessage;
      if (typeof message === 'string') return `${error.Error}: ${message}`;
    }
  } catch {
    // not JSON: the cause is already words
  }
  return cause ? `${error.Error}: ${cause}` : error.Error;
}

export function describeFinding(finding: Finding): string {
  const where = [...finding.stackPath, finding.logicalResourceId].join('/');
  return `${where} (${finding.resourceType}): ${finding.reason}`;
}

function findingLines(findings: readonly Finding[], total: number, room: number): string {
  const lines: string[] = [];
  let used = 0;
  for (const finding of findings) {
    const line = `- ${describeFinding(finding)}`;
    if (used + line.length + 1 > room - 40) break;
    lines.push(line);
    used += line.length + 1;
  }
  const omitted = total - lines.length;
  if (omitted > 0) lines.push(`… and ${omitted} more`);
  return lines.join('\n');
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One message a person reads in the pipeline console (at most `max` characters). */
export function describeOutcome(outcome: Outcome, max = MAX_PIPELINE_MESSAGE): string {
  switch (outcome.result) {
    case 'created':
      return fit(`Created stack ${outcome.stackName}.`, max);
    case 'updated':
      return fit(`Updated stack ${outcome.stackName}: no resource was deleted or replaced.`, max);
    case 'no-changes':
      return fit(`No changes: stack ${outcome.stackName} already matches this revision.`, max);
    case 'blue-green': {
      const head =
        `${outcome.verdict}: updating ${outcome.stackName} in place would delete or replace resources, ` +
        `so this revision was deployed as the new stack ${outcome.blueGreenStackName}; ${outcome.stackName} is unchanged.\n`;
      return fit(head + findingLines(outcome.findings, outcome.findingCount, max - head.length), max);
    }
    case 'refused': {
      const head =
        `${outcome.verdict}: the change set for ${outcome.stackName} would delete or replace resources, ` +
        `so it was deleted without being executed; the stack is unchanged.\n`;
      return fit(head + findingLines(outcome.findings, outcome.findingCount, max - head.length), max);
    }
    case 'failed': {
      const stack = outcome.stackName ? ` of ${outcome.stackName}` : '';
      const reasons = [outcome.reason, outcome.error ? causeMessage(outcome.error) : undefined].filter(
        Boolean,
      );
      const reason = reasons.length > 0 ? reasons.join(' — ') : 'no reason was given';
      return fit(`Deployment${stack} failed during ${outcome.stage}: ${reason}`, max);
    }
  }
}
