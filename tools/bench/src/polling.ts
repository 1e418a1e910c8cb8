import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import {
  CODEPIPELINE_CONTINUATION_SECONDS,
  type DeployRecord,
  FAKE_CREDENTIALS,
  LocalCloud,
  REGION,
  startEmulator,
  stopEmulator,
} from '@cfn-safe-deploy/local-cloud';
import { median } from './stats.js';
import type { BenchResult, BenchSuite } from './types.js';

const SUITE = 'polling';
const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** How long CloudFormation takes to update the stack, in simulated seconds: 1, 5 and 30 minutes. */
export const OPERATION_SECONDS = [60, 300, 1800] as const;
/** How long the change set takes to be created (simulated seconds): a typical small stack. */
export const CHANGE_SET_SECONDS = 10;
/**
 * Round r's operation lasts 13·r mod 30 seconds less (0, 13, 26, 9 s, …), so that CloudFormation ends at a
 * different point of the polling loops and of CodePipeline's continuation interval each round:
 * with fixed waits, the same duration would end at the same phase every time and the lag would be
 * one point of its range, not a sample of it.
 */
export const PHASE_STEP_SECONDS = 13;

/** How much shorter round `round`'s operation is: 13·r seconds, modulo CodePipeline's 30-second interval. */
export function phaseOffsetSeconds(round: number): number {
  return (PHASE_STEP_SECONDS * round) % CODEPIPELINE_CONTINUATION_SECONDS;
}
/** The goals for a 30-minute operation. */
export const GOAL_TRANSITIONS = 100;
export const GOAL_LAG_SECONDS = 15;

/** The ways of waiting measured side by side, on the same synthesized definition. */
export interface PollingMode {
  readonly key: string;
  readonly label: string;
  /** Every Wait lasts this many simulated seconds (the blog's loop), or what the state machine schedules. */
  readonly fixedWaitSeconds?: number;
  /** Only for these operation lengths (seconds). @default every one */
  readonly only?: readonly number[];
}

export const MODES: readonly PollingMode[] = [
  { key: 'backoff', label: 'safe-deploy backoff' },
  { key: 'blog-10s', label: "blog's fixed 10 s loop (reference)", fixedWaitSeconds: 10 },
  // A what-if for the 30-minute goals: about the fewest polls ≤ 100 transitions allow. (Faster than
  // the schedule, e.g. every 5 s, spends the polling budget, counted in scheduled seconds, too soon.)
  { key: 'fixed-75s', label: 'what-if: every wait 75 s', fixedWaitSeconds: 75, only: [1800] },
];

function modesFor(operationSeconds: number): readonly PollingMode[] {
  return MODES.filter((mode) => mode.only === undefined || mode.only.includes(operationSeconds));
}

function roundsFromEnv(): number {
  const raw = process.env.BENCH_POLLING_ROUNDS;
  if (raw === undefined || raw === '') return 3;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`BENCH_POLLING_ROUNDS must be a whole number ≥ 1 (got "${raw}")`);
  }
  return value;
}

/** A small stack: a queue whose visibility timeout the measured update changes (Modify, no replacement). */
function template(visibilityTimeout: number): string {
  return `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: ${visibilityTimeout}
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub '/\${AWS::StackName}/queue-arn'
      Type: String
      Value: !GetAtt Queue.Arn
`;
}

/** What one measured deployment cost, in simulated seconds. */
export interface DeploymentCost {
  readonly transitions: number;
  readonly taskInvocations: number;
  readonly triggerInvocations: number;
  /** From CloudFormation's end of the update to the pipeline's final answer. */
  readonly lagSeconds: number;
  /** From the first Trigger invocation to the pipeline's final answer. */
  readonly totalSeconds: number;
  /** How many times a status was read (the polling loops' `Get … Status` Tasks). */
  readonly polls: number;
}

/** The costs of a deployment, from its record and the end of CloudFormation's operation (ms). */
export function costOf(
  record: Pick<DeployRecord, 'states' | 'triggerInvocations' | 'clock'>,
  cloudFormationEnd: number,
): DeploymentCost {
  if (!record.clock.simulated) throw new Error('the deployment did not run on the simulated clock');
  const tasks = record.states.filter((state) => state.type === 'Task');
  const toSeconds = (ms: number) => ms / 1000;
  return {
    transitions: record.states.length,
    taskInvocations: tasks.reduce((sum, state) => sum + 1 + state.retries, 0),
    triggerInvocations: record.triggerInvocations,
    lagSeconds: toSeconds(record.clock.answeredAt - cloudFormationEnd),
    totalSeconds: toSeconds(record.clock.answeredAt - record.clock.startedAt),
    polls: tasks.filter((state) => /^Get .*Status$/.test(state.name)).length,
  };
}

/** When the stack's last operation ended, as CloudFormation's events say (the stack's final *_COMPLETE). */
async function operationEnd(cloud: LocalCloud, stackName: string): Promise<number> {
  const client = new CloudFormationClient({
    endpoint: cloud.frontEndpoint,
    region: REGION,
    credentials: FAKE_CREDENTIALS,
  });
  const answer = await client.send(new DescribeStackEventsCommand({ StackName: stackName }));
  const end = (answer.StackEvents ?? []).find(
    (event) =>
      event.ResourceType === 'AWS::CloudFormation::Stack' &&
      event.LogicalResourceId === stackName &&
      event.ResourceStatus === 'UPDATE_COMPLETE',
  );
  if (end?.Timestamp === undefined) {
    throw new Error(`no UPDATE_COMPLETE event of stack ${stackName}: the update did not end in the emulator`);
  }
  return end.Timestamp.getTime();
}

interface Case {
  readonly operationSeconds: number;
  readonly mode: PollingMode;
  readonly round: number;
  readonly stackName: string;
}

function writeSource(root: string, name: string, visibilityTimeout: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'template.yaml'), template(visibilityTimeout));
  return dir;
}

function writeInput(root: string, stackName: string): string {
  const file = join(root, `input-${stackName}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      environmentName: 'bench',
      stackName,
      templatePath: 'template.yaml',
      parameters: {},
    }),
  );
  return file;
}

/** Every case, each on its own stack (created first, unmeasured); the modes interleaved. */
function casesOf(rounds: number): Case[] {
  const cases: Case[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const operationSeconds of OPERATION_SECONDS) {
      for (const mode of modesFor(operationSeconds)) {
        cases.push({
          operationSeconds,
          mode,
          round,
          stackName: `poll-${operationSeconds}s-${mode.key}-${round + 1}`,
        });
      }
    }
  }
  return cases;
}

async function measure(
  options: { motoEndpoint: string; stateDir: string; cacheDir: string; work: string },
  item: Case,
): Promise<DeploymentCost> {
  const cloud = await LocalCloud.open({
    motoEndpoint: options.motoEndpoint,
    stateDir: options.stateDir,
    cacheDir: options.cacheDir,
    // Shorter, not longer: the blog's loop at 30 minutes is at the edge of the polling budget.
    faults: { operationMs: (item.operationSeconds - phaseOffsetSeconds(item.round)) * 1000 },
    changeSetMs: CHANGE_SET_SECONDS * 1000,
    simulatedTime:
      item.mode.fixedWaitSeconds === undefined ? {} : { fixedWaitSeconds: item.mode.fixedWaitSeconds },
  });
  try {
    const record = await cloud.deploy({
      source: writeSource(options.work, 'v2', 45),
      input: writeInput(options.work, item.stackName),
    });
    if (record.summary.result !== 'Succeeded' || record.outcome?.result !== 'updated') {
      throw new Error(
        `the measured update of ${item.stackName} ended ${record.summary.result} (${record.outcome?.result ?? 'no outcome'}): ${record.summary.message}`,
      );
    }
    return costOf(record, await operationEnd(cloud, record.summary.stackName));
  } finally {
    await cloud.close();
  }
}

/** Creates every case's stack at once (no time scale, fast operations): the measured deployments update them. */
async function createStacks(
  options: { motoEndpoint: string; stateDir: string; cacheDir: string; work: string },
  cases: readonly Case[],
): Promise<void> {
  const cloud = await LocalCloud.open({
    motoEndpoint: options.motoEndpoint,
    stateDir: options.stateDir,
    cacheDir: options.cacheDir,
    faults: { operationMs: 20 },
    continuationIntervalMs: 50,
  });
  try {
    const source = writeSource(options.work, 'v1', 30);
    for (const item of cases) {
      const record = await cloud.deploy({ source, input: writeInput(options.work, item.stackName) });
      if (record.summary.result !== 'Succeeded') {
        throw new Error(`creating ${item.stackName} failed: ${record.summary.message}`);
      }
    }
  } finally {
    await cloud.close();
  }
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ');
}

function printTable(
  runs: ReadonlyMap<string, readonly DeploymentCost[]>,
  rounds: number,
  write: (line: string) => void,
): void {
  const header = [
    'CloudFormation',
    'waiting',
    'transitions',
    'Lambda inv. (tasks+Trigger)',
    'lag s, median (min–max)',
    'total (s)',
  ];
  const rows = OPERATION_SECONDS.flatMap((seconds) =>
    modesFor(seconds).map((mode) => {
      const list = runs.get(`${seconds}/${mode.key}`) ?? [];
      const cost = list.length === 0 ? undefined : medianCost(list);
      const lags = list.map((run) => run.lagSeconds);
      return [
        `${seconds / 60} min`,
        mode.label,
        cost === undefined ? '' : String(cost.transitions),
        cost === undefined
          ? ''
          : `${cost.taskInvocations + cost.triggerInvocations} (${cost.taskInvocations}+${cost.triggerInvocations})`,
        cost === undefined
          ? ''
          : `${cost.lagSeconds.toFixed(1)} (${Math.min(...lags).toFixed(1)}–${Math.max(...lags).toFixed(1)})`,
        cost === undefined ? '' : cost.totalSeconds.toFixed(0),
      ];
    }),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  write(
    `\npolling: simulated (AWS) seconds, median of ${rounds} round(s) (round r: the operation 13·r mod 30 s shorter); change set ${CHANGE_SET_SECONDS} s, CodePipeline continuation every ${CODEPIPELINE_CONTINUATION_SECONDS} s`,
  );
  write(row(header, widths));
  write(
    row(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
  );
  for (const cells of rows) write(row(cells, widths));
}

/** The median of each figure over the rounds of one case. */
export function medianCost(costs: readonly DeploymentCost[]): DeploymentCost {
  const of = (pick: (cost: DeploymentCost) => number) => median(costs.map(pick));
  return {
    transitions: of((c) => c.transitions),
    taskInvocations: of((c) => c.taskInvocations),
    triggerInvocations: of((c) => c.triggerInvocations),
    lagSeconds: of((c) => c.lagSeconds),
    totalSeconds: of((c) => c.totalSeconds),
    polls: of((c) => c.polls),
  };
}

/** The suite's figures: per operation length and mode, transitions, Lambda invocations and lag. */
export function resultsOf(
  runs: ReadonlyMap<string, readonly DeploymentCost[]>,
  details: Readonly<Record<string, number | string>>,
): BenchResult[] {
  const results: BenchResult[] = [];
  for (const seconds of OPERATION_SECONDS) {
    for (const mode of modesFor(seconds)) {
      const list = runs.get(`${seconds}/${mode.key}`) ?? [];
      if (list.length === 0) continue;
      const cost = medianCost(list);
      const lags = list.map((run) => run.lagSeconds);
      const goals = seconds === 1800 && mode.fixedWaitSeconds === undefined;
      const name = `${seconds / 60} min, ${mode.label}`;
      const caseDetails = {
        ...details,
        polls: cost.polls,
        taskInvocations: cost.taskInvocations,
        triggerInvocations: cost.triggerInvocations,
        totalSeconds: Number(cost.totalSeconds.toFixed(1)),
        lagMinSeconds: Number(Math.min(...lags).toFixed(1)),
        lagMaxSeconds: Number(Math.max(...lags).toFixed(1)),
        transitionsMin: Math.min(...list.map((run) => run.transitions)),
        transitionsMax: Math.max(...list.map((run) => run.transitions)),
      };
      results.push(
        {
          suite: SUITE,
          name: `${name}: state transitions`,
          value: cost.transitions,
          unit: 'transitions',
          ...(goals
            ? { goal: `≤ ${GOAL_TRANSITIONS}`, meetsGoal: cost.transitions <= GOAL_TRANSITIONS }
            : {}),
          details: caseDetails,
        },
        {
          suite: SUITE,
          name: `${name}: Lambda invocations`,
          value: cost.taskInvocations + cost.triggerInvocations,
          unit: 'invocations',
          details: caseDetails,
        },
        {
          suite: SUITE,
          name: `${name}: lag CloudFormation end → pipeline answered`,
          value: Number(cost.lagSeconds.toFixed(1)),
          unit: 's (simulated)',
          ...(goals
            ? { goal: `≤ ${GOAL_LAG_SECONDS} s`, meetsGoal: cost.lagSeconds <= GOAL_LAG_SECONDS }
            : {}),
          details: caseDetails,
        },
      );
    }
  }
  return results;
}

/**
 * The polling benchmark: the synthesized Deploy state machine on the emulator, a safe update of a
 * small stack whose CloudFormation update takes 1, 5 and 30 simulated minutes, measured with the
 * state machine's own backoff and with every Wait replaced by the blog's fixed 10 seconds.
 */
export const polling: BenchSuite = {
  name: SUITE,
  async run(): Promise<readonly BenchResult[]> {
    const rounds = roundsFromEnv();
    const stateDir = mkdtempSync(join(tmpdir(), 'bench-polling-'));
    const work = join(stateDir, 'work');
    mkdirSync(work, { recursive: true });
    const cacheDir = join(workspaceRoot, '.safe-deploy', 'cache');
    try {
      const emulator = await startEmulator({ stateDir });
      const options = { motoEndpoint: emulator.record.endpoint, stateDir, cacheDir, work };
      const cases = casesOf(rounds);
      await createStacks(options, cases);
      const costs = new Map<string, DeploymentCost[]>();
      for (const item of cases) {
        const started = performance.now();
        const cost = await measure(options, item);
        const key = `${item.operationSeconds}/${item.mode.key}`;
        costs.set(key, [...(costs.get(key) ?? []), cost]);
        process.stderr.write(
          `bench: polling: ${item.operationSeconds / 60} min, ${item.mode.label}, round ${item.round + 1}: ${cost.transitions} transitions, lag ${cost.lagSeconds.toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(1)} s real)\n`,
        );
      }
      printTable(costs, rounds, (line) => process.stdout.write(`${line}\n`));
      return resultsOf(costs, {
        rounds,
        changeSetSeconds: CHANGE_SET_SECONDS,
        continuationSeconds: CODEPIPELINE_CONTINUATION_SECONDS,
        phaseStepSeconds: PHASE_STEP_SECONDS,
      });
    } finally {
      await stopEmulator(stateDir);
      rmSync(stateDir, { recursive: true, force: true });
    }
  },
};
