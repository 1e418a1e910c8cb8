import { type Finding, FindingSchema, VerdictSchema } from '@cfn-safe-deploy/changeset-policy';
import { type Outcome, OutcomeSchema, recordOf } from '@cfn-safe-deploy/state-payloads';
import type { FunctionLogLine } from './log-capture.js';
import type { ExecutionEvent, LocalExecution, StateRun } from './step-functions.js';

/** The `--json` summary of one deployment (docs/contracts.md, `safe-deploy` CLI). */
export interface DeploySummary {
  readonly result: 'Succeeded' | 'Failed';
  /** The execution's status, or NOT_STARTED when the Trigger failed the job before starting one. */
  readonly executionStatus: string;
  readonly path: string[];
  readonly verdict?: string;
  /** The stack this revision went to: the blue/green stack when one was created. */
  readonly stackName: string;
  /** That stack's status in the emulator after the run, or DOES_NOT_EXIST. */
  readonly stackStatus: string;
  readonly message: string;
  /**
   * The Step Functions executions started for the job: 1 per stack (1 for one template), 0 when the
   * Trigger failed it before starting one.
   */
  readonly executions: number;
  /** With a cloud assembly: each stack attempted, in deployment order (the others were not attempted). */
  readonly stacks?: StackSummary[];
}

/** One stack of a cloud assembly, as its execution ended. */
export interface StackSummary {
  readonly stackName: string;
  readonly executionStatus: string;
  /** The outcome's `result` (created, updated, no-changes, refused, failed), when there is one. */
  readonly outcome?: string;
  readonly verdict?: string;
  readonly stackStatus: string;
  readonly path: string[];
}

/** The inspection as the state machine recorded it (`$.inspection`). */
export interface InspectionView {
  readonly verdict: string;
  readonly findings: Finding[];
  readonly allowed: Finding[];
}

/** One stack of a cloud assembly as its execution ran, for the report. */
export interface StackRecord {
  readonly stackName: string;
  readonly stackStatus: string;
  readonly executionArn: string;
  readonly executionStatus: string;
  readonly states: readonly StateRun[];
  readonly inspection?: InspectionView;
  readonly outcome?: Outcome;
}

/** Everything a report needs about one deployment. */
export interface DeployRecord {
  readonly summary: DeploySummary;
  /**
   * With a cloud assembly: each stack attempted, in order, and the stacks of the assembly that were
   * not (their names), so that the report shows every stack.
   */
  readonly assembly?: {
    readonly attempted: readonly StackRecord[];
    readonly notAttempted: readonly string[];
  };
  readonly jobId: string;
  readonly executionArn?: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly source: string;
  readonly inputFile: string;
  readonly states: readonly StateRun[];
  readonly inspection?: InspectionView;
  readonly outcome?: Outcome;
  readonly triggerInvocations: number;
  /**
   * On the emulator's clock (ms since the epoch; simulated under `simulatedTime`, where it is the
   * clock CloudFormation's events are stamped with): when the job was uploaded, and when the
   * pipeline was answered for good (PutJobSuccessResult without a token, or PutJobFailureResult).
   */
  readonly clock: { readonly startedAt: number; readonly answeredAt: number; readonly simulated: boolean };
  /** What the functions logged during this deployment (the Trigger's lines too), in order. */
  readonly logs: readonly FunctionLogLine[];
}

export type DeployProgress =
  | { readonly kind: 'started'; readonly jobId: string; readonly stackName: string }
  | ExecutionEvent
  | { readonly kind: 'inspection'; readonly inspection: InspectionView };

/** The inspection in a state's output (`$.inspection`), when it has one. */
export function inspectionOf(output: unknown): InspectionView | undefined {
  const inspection = recordOf(recordOf(output)?.inspection);
  if (inspection === undefined) return undefined;
  const verdict = VerdictSchema.safeParse(inspection.verdict);
  if (!verdict.success) return undefined;
  const findingsIn = (value: unknown): Finding[] =>
    (Array.isArray(value) ? value : []).flatMap((item: unknown) => {
      const finding = FindingSchema.safeParse(item);
      return finding.success ? [finding.data] : [];
    });
  return {
    verdict: verdict.data,
    findings: findingsIn(inspection.findings),
    allowed: findingsIn(inspection.allowed),
  };
}

/** The last inspection the states carried (the deploy states pass `$.inspection` on). */
export function lastInspection(states: readonly StateRun[]): InspectionView | undefined {
  return [...states]
    .reverse()
    .map((state) => inspectionOf(state.output))
    .find((found) => found !== undefined);
}

/** The execution's outcome: its output when it succeeded, its cause when it failed. */
export function outcomeOf(execution: LocalExecution | undefined): Outcome | undefined {
  if (execution === undefined) return undefined;
  const text = execution.status === 'SUCCEEDED' ? execution.output : execution.cause;
  if (text === undefined) return undefined;
  try {
    const parsed = OutcomeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `<environmentName>-<stackName>` read leniently from the input file (it may be malformed); for a
 * cloud assembly, `<environmentName>: <cloudAssembly>`.
 */
export function stackNameFromInput(text: string): string {
  try {
    const value = recordOf(JSON.parse(text));
    if (typeof value?.environmentName === 'string' && typeof value.stackName === 'string') {
      return `${value.environmentName}-${value.stackName}`;
    }
    if (typeof value?.environmentName === 'string' && typeof value.cloudAssembly === 'string') {
      return `${value.environmentName}: ${value.cloudAssembly}`;
    }
  } catch {
    // malformed: the Trigger says so
  }
  return '';
}

/** The stack the revision went to: the blue/green stack when one was created. */
export function deployedStackName(outcome: Outcome | undefined, inputText: string): string {
  return outcome?.result === 'blue-green'
    ? outcome.blueGreenStackName
    : (outcome?.stackName ?? stackNameFromInput(inputText));
}
