import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  errorNameOf,
  executionNameFor,
  namesCloudAssembly,
  parseAssemblyInputFile,
  planAssembly,
} from '@cfn-safe-deploy/state-payloads';
import { AWS_SETTINGS_OF_THE_SHELL, bundleEnvironment, setProcessEnvironment } from './bundle-environment.js';
import { type CloudFormationFront, startCloudFormationFront } from './cloudformation-front.js';
import { LocalJobs } from './codepipeline.js';
import {
  ARTIFACT_BUCKET,
  CLOUDFORMATION_STATE_FILE,
  CODEPIPELINE_CONTINUATION_SECONDS,
  FAKE_CREDENTIALS,
  INPUT_BUCKET,
  REGION,
  STATE_MACHINE_ARN,
  TEMPLATE_BUCKET,
} from './constants.js';
import { type EmulatedDefinition, loadDefinition } from './definition.js';
import {
  type DeployProgress,
  type DeployRecord,
  type DeploySummary,
  deployedStackName,
  inspectionOf,
  lastInspection,
  outcomeOf,
  type StackRecord,
  stackNameFromInput,
} from './deploy-record.js';
import { UsageError } from './errors.js';
import { FaultInjector, OBSERVER_HEADER } from './fault-injection.js';
import type { Faults } from './faults.js';
import type { LocalServer } from './http.js';
import { startJsonEndpoint } from './json-endpoint.js';
import { functionArnOf, LocalLambda } from './lambda.js';
import type { WaitTiming } from './local-state-machine.js';
import { type FunctionLogLine, logCapture } from './log-capture.js';
import { type PipelineJob, runPipelineAction } from './pipeline-job.js';
import { SimulatedClock } from './simulated-clock.js';
import { DEFAULT_OPERATION_MS } from './stack-operations.js';
import { type ExecutionEvent, type LocalExecution, LocalStepFunctions } from './step-functions.js';
import { zipDirectory } from './zip.js';

export type {
  DeployProgress,
  DeployRecord,
  DeploySummary,
  InspectionView,
} from './deploy-record.js';

export interface DeployOptions {
  readonly source: string;
  readonly input: string;
  readonly onProgress?: (event: DeployProgress) => void;
}

export interface LocalCloudOptions {
  /** moto (S3, CloudFormation), e.g. http://localhost:PORT. */
  readonly motoEndpoint: string;
  /** Where logs (`logs/functions.log`) and the definition cache go. */
  readonly stateDir: string;
  /** @default $SAFE_DEPLOY_CHANGE_SET_PAGE_SIZE, else 2 */
  readonly changeSetPageSize?: number;
  /** Every Wait state lasts this long. @default max(10, operationMs / 20) */
  readonly waitMs?: number;
  /** How long the pipeline waits before invoking the Trigger again with its continuation token, at most. @default 1000 */
  readonly continuationIntervalMs?: number;
  /** Where the synthesized definition is cached. @default <stateDir>/cache */
  readonly cacheDir?: string;
  /** What the emulator makes slow or makes fail (`deploy --faults FILE`), checked with `parseFaults`. @default none */
  readonly faults?: Faults;
  /** How long a change-set creation takes (ms), when it differs from the faults' `operationMs`. @default operationMs */
  readonly changeSetMs?: number;
  /**
   * Simulated time (the polling benchmark, see SimulatedClock): every Wait lasts the seconds it
   * schedules (its `SecondsPath` read when it runs) or `fixedWaitSeconds`, the pipeline invokes
   * the Trigger again every CODEPIPELINE_CONTINUATION_SECONDS, operations take `operationMs`,
   * all on a clock that skips the waiting; Retry intervals are not waited. Not with `waitMs` or
   * `continuationIntervalMs`. @default none: real time, Waits compressed to `waitMs`
   */
  readonly simulatedTime?: SimulatedTimeOptions;
}

export interface SimulatedTimeOptions {
  /** Every Wait state lasts this many seconds, whatever it schedules (the blog's fixed loop). @default what it schedules */
  readonly fixedWaitSeconds?: number;
}

function operationMsOf(faults: Faults): number {
  return faults.operationMs ?? DEFAULT_OPERATION_MS;
}

/**
 * How long a Wait state lasts: 10 ms, or operationMs / 20 when that is longer. The polling loops'
 * budgets are counted in scheduled Wait seconds (the change set's 15 minutes are at least 50
 * polls, a busy stack's 30 minutes at least 25), and here a Wait lasts milliseconds: this way
 * every budget outlasts an operation however fast the machine polls.
 */
export function defaultWaitMs(operationMs: number): number {
  return Math.max(10, Math.ceil(operationMs / 20));
}

/** How long each Wait lasts: on the simulated clock, its seconds (or the fixed ones); else `waitMs` (or its default). */
function waitTimingOf(
  options: LocalCloudOptions,
  operationMs: number,
  clock: SimulatedClock | undefined,
): WaitTiming {
  if (clock === undefined) return options.waitMs ?? defaultWaitMs(operationMs);
  const fixed = options.simulatedTime?.fixedWaitSeconds;
  return (scheduledSeconds, signal) => clock.sleep((fixed ?? scheduledSeconds) * 1000, signal);
}

/** Checks that simulated time comes alone (it sets the Waits and the continuation interval itself). */
function checkTimingOptions(options: LocalCloudOptions): void {
  if (options.simulatedTime === undefined) return;
  const fixed = options.simulatedTime.fixedWaitSeconds;
  if (fixed !== undefined && (!Number.isFinite(fixed) || fixed < 0)) {
    throw new Error(`simulatedTime.fixedWaitSeconds must be a number of seconds ≥ 0 (got ${fixed})`);
  }
  for (const key of ['waitMs', 'continuationIntervalMs'] as const) {
    if (options[key] !== undefined) {
      throw new Error(
        `${key} cannot be given with simulatedTime (simulated time sets it; got ${options[key]})`,
      );
    }
  }
}

function pageSizeFromEnv(): number | undefined {
  const raw = process.env.SAFE_DEPLOY_CHANGE_SET_PAGE_SIZE;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`SAFE_DEPLOY_CHANGE_SET_PAGE_SIZE must be a whole number ≥ 1 (got "${raw}")`);
  }
  return value;
}

/** The emulated services of one LocalCloud: its servers, Step Functions, the jobs and the loaded bundles. */
interface Services {
  readonly front: CloudFormationFront;
  readonly json: LocalServer;
  readonly stepFunctions: LocalStepFunctions;
  readonly jobs: LocalJobs;
  readonly trigger: LocalLambda;
  readonly definition: EmulatedDefinition;
  readonly faults: FaultInjector;
  /** The simulated clock (`simulatedTime`), or undefined in real time. */
  readonly clock: SimulatedClock | undefined;
  /** Puts process.env back as it was before the cloud opened. */
  readonly restoreEnvironment: () => void;
}

async function loadTaskFunctions(definition: EmulatedDefinition): Promise<Map<string, LocalLambda>> {
  const lambdas = new Map<string, LocalLambda>();
  for (const fn of Object.values(definition.functions)) {
    lambdas.set(
      fn.name,
      await LocalLambda.load({
        name: fn.name,
        bundle: fn.bundle,
        env: { POWERTOOLS_SERVICE_NAME: `cfn-safe-deploy-${fn.name}`, AWS_LAMBDA_FUNCTION_NAME: fn.name },
        timeoutSeconds: fn.timeoutSeconds,
        memoryMiB: fn.memoryMiB,
      }),
    );
  }
  return lambdas;
}

function registerDeployStateMachine(
  stepFunctions: LocalStepFunctions,
  definition: EmulatedDefinition,
  lambdas: ReadonlyMap<string, LocalLambda>,
  waitMs: WaitTiming,
  faults: FaultInjector,
  clock: SimulatedClock | undefined,
): void {
  const tasks: Record<
    string,
    { resource: string; invoke: (input: unknown) => Promise<unknown>; timeoutSeconds: number }
  > = {};
  for (const [stateName, functionName] of Object.entries(definition.taskFunctions)) {
    const lambda = lambdas.get(functionName);
    if (lambda === undefined)
      throw new Error(`Task state ${stateName} invokes ${functionName}, which was not loaded`);
    tasks[stateName] = {
      resource: functionArnOf(functionName),
      invoke: (input) =>
        clock === undefined ? faults.invoke(lambda, input) : clock.busy(() => faults.invoke(lambda, input)),
      timeoutSeconds: lambda.spec.timeoutSeconds,
    };
  }
  stepFunctions.registerStateMachine(STATE_MACHINE_ARN, {
    definition: definition.definition,
    tasks,
    waitMs,
    // On the simulated clock a real 10 ms would let it jump meanwhile: retries are not waited.
    retryMs: clock === undefined ? 10 : 0,
  });
}

async function startServices(options: LocalCloudOptions): Promise<Services> {
  const log = (line: string) => logCapture.write(line);
  const pageSize = options.changeSetPageSize ?? pageSizeFromEnv();
  const faults = new FaultInjector(options.faults);
  faults.subscribe((fault) => log(`faults file: ${fault.kind} of ${fault.target}`));
  const throttle = faults.throttles.bind(faults);
  const clock = options.simulatedTime === undefined ? undefined : new SimulatedClock();
  const front = await startCloudFormationFront({
    upstream: options.motoEndpoint,
    ...(pageSize === undefined ? {} : { pageSize }),
    log,
    throttle,
    operationMs: operationMsOf(faults.faults),
    ...(options.changeSetMs === undefined ? {} : { changeSetMs: options.changeSetMs }),
    ...(faults.faults.failResources === undefined ? {} : { failResources: faults.faults.failResources }),
    stateFile: join(options.stateDir, CLOUDFORMATION_STATE_FILE),
    ...(clock === undefined ? {} : { clock }),
  });
  const stepFunctions = new LocalStepFunctions();
  const jobs = new LocalJobs();
  const json = await startJsonEndpoint({ stepFunctions, jobs, log, throttle });
  const restoreEnvironment = setProcessEnvironment(
    bundleEnvironment({ front: front.endpoint, json: json.endpoint }),
    AWS_SETTINGS_OF_THE_SHELL,
  );
  try {
    const definition = await loadDefinition(options.cacheDir ?? join(options.stateDir, 'cache'));
    const lambdas = await loadTaskFunctions(definition);
    const trigger = await LocalLambda.load({
      name: 'trigger',
      bundle: definition.triggerBundle,
      env: { POWERTOOLS_SERVICE_NAME: 'cfn-safe-deploy-trigger', AWS_LAMBDA_FUNCTION_NAME: 'trigger' },
      timeoutSeconds: 60,
      memoryMiB: 256,
    });
    registerDeployStateMachine(
      stepFunctions,
      definition,
      lambdas,
      waitTimingOf(options, operationMsOf(faults.faults), clock),
      faults,
      clock,
    );
    return { front, json, stepFunctions, jobs, trigger, definition, faults, clock, restoreEnvironment };
  } catch (error) {
    restoreEnvironment();
    await Promise.all([front.close(), json.close()]);
    throw error;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/**
 * The emulated cloud: the CloudFormation front, the JSON endpoint, Step Functions and the loaded
 * bundles, for as long as it is open. The bundles read their endpoints from process.env (see
 * bundle-environment.ts), so one LocalCloud is open at a time in a process; `close()` stops its
 * servers and puts process.env back.
 */
export class LocalCloud {
  private constructor(
    private readonly services: Services,
    readonly options: LocalCloudOptions,
  ) {}

  static async open(options: LocalCloudOptions): Promise<LocalCloud> {
    checkTimingOptions(options);
    logCapture.redirect(join(options.stateDir, 'logs', 'functions.log'));
    const cloud = new LocalCloud(await startServices(options), options);
    await cloud.createBuckets();
    return cloud;
  }

  /** Stops the servers and puts process.env back as it was before `open`. */
  async close(): Promise<void> {
    this.services.restoreEnvironment();
    await Promise.all([this.services.front.close(), this.services.json.close()]);
  }

  get definition(): EmulatedDefinition {
    return this.services.definition;
  }

  get frontEndpoint(): string {
    return this.services.front.endpoint;
  }

  get jsonEndpoint(): string {
    return this.services.json.endpoint;
  }

  /** A CloudFormation client straight to moto (what a person would look at). */
  cloudFormation(): CloudFormationClient {
    return new CloudFormationClient({
      endpoint: this.options.motoEndpoint,
      region: REGION,
      credentials: FAKE_CREDENTIALS,
    });
  }

  private s3(): S3Client {
    return new S3Client({
      endpoint: this.options.motoEndpoint,
      region: REGION,
      credentials: FAKE_CREDENTIALS,
      forcePathStyle: true,
    });
  }

  private async createBuckets(): Promise<void> {
    const s3 = this.s3();
    for (const bucket of [ARTIFACT_BUCKET, INPUT_BUCKET, TEMPLATE_BUCKET]) {
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (error) {
        const name = errorNameOf(error);
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
      }
    }
  }

  /** Uploads the source directory as the job's artifact and the input file unchanged, as CodePipeline would. */
  private async uploadJob(source: string, inputFile: string, inputBytes: Buffer): Promise<PipelineJob> {
    const jobId = randomUUID();
    const job = {
      jobId,
      artifactKey: `safe-deploy/SourceArti/${jobId}.zip`,
      inputKey: `${jobId}/${basename(inputFile)}`,
    };
    const s3 = this.s3();
    await s3.send(
      new PutObjectCommand({ Bucket: ARTIFACT_BUCKET, Key: job.artifactKey, Body: zipDirectory(source) }),
    );
    await s3.send(new PutObjectCommand({ Bucket: INPUT_BUCKET, Key: job.inputKey, Body: inputBytes }));
    return job;
  }

  /**
   * What CodePipeline does for a Lambda invoke action: the source directory becomes the input
   * artifact, the input file goes unchanged to the input bucket, and the Trigger bundle is invoked
   * with a job event, then again with each continuation token until it answers for good.
   */
  async deploy(options: DeployOptions): Promise<DeployRecord> {
    const source = resolve(options.source);
    const inputFile = resolve(options.input);
    if (!existsSync(source) || !statSync(source).isDirectory()) {
      throw new UsageError(`--source ${options.source} is not a directory`);
    }
    if (!existsSync(inputFile) || !statSync(inputFile).isFile()) {
      throw new UsageError(`--input ${options.input} is not a file`);
    }
    const inputBytes = readFileSync(inputFile);
    const inputText = inputBytes.toString('utf8');
    const { stepFunctions, jobs } = this.services;
    const startedAt = new Date();
    const executionsBefore = stepFunctions.executionCount;
    const job = await this.uploadJob(source, inputFile, inputBytes);
    logCapture.write(`==== ${startedAt.toISOString()} job ${job.jobId}: ${source} with ${inputFile}`);

    // One execution for a template; one per stack for a cloud assembly (`<name>-s1`, `-s2`, …).
    const executionName = executionNameFor(job.jobId);
    const stackExecution = new RegExp(`^${executionNameFor(job.jobId, 0).replace(/-s1$/, '')}-s\\d+$`);
    const executions: LocalExecution[] = [];
    let execution: LocalExecution | undefined;
    const inspected = new Set<string>();
    const logs: FunctionLogLine[] = [];
    const stopLogs = logCapture.subscribe((logLine) => logs.push(logLine));
    const stopper = this.stopFromOutside();
    const unsubscribe = stepFunctions.subscribe((running, event) => {
      if (running.name !== executionName && !stackExecution.test(running.name)) return;
      if (!executions.includes(running)) executions.push(running);
      execution = running;
      stopper.onEvent(running, event);
      options.onProgress?.(event);
      // The deploy state carries $.inspection on: it is shown once, when the inspection first appears.
      if (event.kind === 'state-exited' && !inspected.has(running.name)) {
        const inspection = inspectionOf(event.state.output);
        if (inspection !== undefined) {
          inspected.add(running.name);
          options.onProgress?.({ kind: 'inspection', inspection });
        }
      }
    });
    options.onProgress?.({ kind: 'started', jobId: job.jobId, stackName: stackNameFromInput(inputText) });

    const { clock } = this.services;
    const interval = this.options.continuationIntervalMs ?? 1000;
    const clockStartedAt = this.now();
    let action: Awaited<ReturnType<typeof runPipelineAction>>;
    try {
      action = await runPipelineAction(job, {
        invokeTrigger: (event) => this.invokeTrigger(event),
        jobs,
        log: (line) => logCapture.write(line),
        now: () => this.now(),
        // The next invocation comes when the execution ends, or after the interval at most; on the
        // simulated clock after CodePipeline's interval, as on AWS (it does not know when it ends).
        beforeContinuation: async (answer) => {
          if (clock !== undefined) return clock.sleep(CODEPIPELINE_CONTINUATION_SECONDS * 1000);
          const running =
            execution ??
            (answer.externalExecutionId ? this.tryDescribe(answer.externalExecutionId) : undefined);
          await (running ? Promise.race([running.done, sleep(interval)]) : sleep(interval));
        },
      });
    } finally {
      stopper.cancel();
      unsubscribe();
      stopLogs();
    }
    const ended: LocalExecution | undefined = execution;
    if (ended !== undefined && ended.status !== 'RUNNING') await ended.done;

    const { final, invocations, answeredAt } = action;
    const outcome = outcomeOf(ended);
    const states = ended?.states ?? [];
    const inspection = lastInspection(states);
    const stackName = deployedStackName(outcome, inputText);
    let summary: DeploySummary = {
      result: final.kind === 'success' ? 'Succeeded' : 'Failed',
      executionStatus: ended?.status ?? 'NOT_STARTED',
      path: states.map((state) => state.name),
      ...(inspection === undefined ? {} : { verdict: inspection.verdict }),
      stackName,
      stackStatus: await this.stackStatus(stackName),
      message: final.kind === 'failure' ? final.message : (final.summary ?? 'The pipeline action succeeded.'),
      executions: stepFunctions.executionCount - executionsBefore,
    };
    const assembly = executions.some((each) => stackExecution.test(each.name))
      ? await this.assemblyRecord(executions, plannedStacks(source, inputText))
      : undefined;
    if (assembly !== undefined) {
      summary = {
        ...summary,
        stacks: assembly.attempted.map((stack) => ({
          stackName: stack.stackName,
          executionStatus: stack.executionStatus,
          ...(stack.outcome === undefined ? {} : { outcome: stack.outcome.result }),
          ...(stack.inspection === undefined ? {} : { verdict: stack.inspection.verdict }),
          stackStatus: stack.stackStatus,
          path: stack.states.map((state) => state.name),
        })),
      };
    }
    return {
      summary,
      ...(assembly === undefined ? {} : { assembly }),
      jobId: job.jobId,
      ...(ended === undefined ? {} : { executionArn: ended.executionArn }),
      startedAt,
      finishedAt: new Date(),
      source,
      inputFile,
      states,
      ...(inspection === undefined ? {} : { inspection }),
      ...(outcome === undefined ? {} : { outcome }),
      triggerInvocations: invocations,
      clock: { startedAt: clockStartedAt, answeredAt, simulated: clock !== undefined },
      logs,
    };
  }

  /** Each stack of a cloud assembly the job attempted, from its execution, and those it did not. */
  private async assemblyRecord(
    executions: readonly LocalExecution[],
    planned: readonly string[],
  ): Promise<NonNullable<DeployRecord['assembly']>> {
    const attempted: StackRecord[] = [];
    for (const each of executions) {
      if (each.status === 'RUNNING') await each.done;
      const outcome = outcomeOf(each);
      const inspection = lastInspection(each.states);
      const stackName = deployedStackName(outcome, each.input);
      attempted.push({
        stackName,
        stackStatus: await this.stackStatus(stackName),
        executionArn: each.executionArn,
        executionStatus: each.status,
        states: each.states,
        ...(inspection === undefined ? {} : { inspection }),
        ...(outcome === undefined ? {} : { outcome }),
      });
    }
    const names = new Set(attempted.map((stack) => stack.stackName));
    return { attempted, notAttempted: planned.filter((name) => !names.has(name)) };
  }

  /**
   * Invokes the Trigger as CodePipeline's Lambda invoke does; with `duplicateTrigger`, the same
   * event is delivered twice at once (at-least-once delivery) and the invocation fails only when
   * both fail.
   */
  private invokeTrigger(event: unknown): Promise<unknown> {
    const { clock } = this.services;
    return clock === undefined ? this.deliverTrigger(event) : clock.busy(() => this.deliverTrigger(event));
  }

  /** The emulator's clock now: the simulated one under `simulatedTime`, else the system's. */
  private now(): number {
    return this.services.clock?.now() ?? Date.now();
  }

  private async deliverTrigger(event: unknown): Promise<unknown> {
    const { trigger, faults } = this.services;
    if (!faults.duplicateTrigger) return faults.invoke(trigger, event);
    faults.duplicated();
    const [first, second] = await Promise.allSettled([
      faults.invoke(trigger, event),
      faults.invoke(trigger, event),
    ]);
    if (first.status === 'fulfilled') return first.value;
    if (second.status === 'fulfilled') return second.value;
    throw first.reason;
  }

  /**
   * The faults file's stop from outside (`stopExecutionAfterMs`, `stopExecutionAtState`): StopExecution
   * of the job's execution, as a person or another tool would call it.
   */
  private stopFromOutside(): {
    onEvent: (execution: LocalExecution, event: ExecutionEvent) => void;
    cancel: () => void;
  } {
    const { stepFunctions, faults } = this.services;
    const { stopExecutionAfterMs, stopExecutionAtState } = faults.faults;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const stop = (execution: LocalExecution) => {
      if (stopped || execution.status !== 'RUNNING') return;
      stopped = true;
      faults.stopped(execution.executionArn);
      stepFunctions.stopExecution(
        execution.executionArn,
        'StoppedFromOutside',
        'StopExecution was called by the faults file',
      );
    };
    return {
      onEvent: (execution, event) => {
        if (stopExecutionAfterMs !== undefined && timer === undefined && !stopped) {
          const wait = stopExecutionAfterMs - (Date.now() - execution.startDate.getTime());
          timer = setTimeout(() => stop(execution), Math.max(0, wait));
        }
        if (event.kind === 'state-entered' && event.state.name === stopExecutionAtState) stop(execution);
      },
      cancel: () => clearTimeout(timer),
    };
  }

  private tryDescribe(executionArn: string): LocalExecution | undefined {
    try {
      return this.services.stepFunctions.describeExecution(executionArn);
    } catch {
      return undefined;
    }
  }

  /**
   * The stack's status as CloudFormation reports it (through the front: moto cannot hold a
   * rollback), once stable: an operation still in progress when the execution ended (one it did
   * not wait for) is waited for, at most its duration and a second more.
   */
  private async stackStatus(stackName: string): Promise<string> {
    if (stackName === '') return 'DOES_NOT_EXIST';
    const client = new CloudFormationClient({
      endpoint: this.services.front.endpoint,
      region: REGION,
      credentials: FAKE_CREDENTIALS,
    });
    // The emulator looking at its own stack: never throttled by the faults file.
    client.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers !== undefined) request.headers[OBSERVER_HEADER] = '1';
        return next(args);
      },
      { step: 'build' },
    );
    // On the simulated clock the operation's time passes only while waiting on the clock.
    const { clock } = this.services;
    const pause = (): Promise<void> => (clock === undefined ? sleep(25) : clock.sleep(5000));
    const deadline = this.now() + operationMsOf(this.options.faults ?? {}) + 1000;
    for (;;) {
      let status: string;
      try {
        const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
        status = answer.Stacks?.[0]?.StackStatus ?? 'DOES_NOT_EXIST';
      } catch (error) {
        if (/does not exist/.test((error as Error).message)) return 'DOES_NOT_EXIST';
        if (this.now() >= deadline) return `UNKNOWN (${(error as Error).message})`;
        await pause();
        continue;
      }
      if (!status.endsWith('_IN_PROGRESS') || status === 'REVIEW_IN_PROGRESS' || this.now() >= deadline)
        return status;
      await pause();
    }
  }
}

/**
 * The stacks a cloud assembly input deploys, in order, read from the source directory as the
 * Trigger reads them from the artifact; none when the input is one template or cannot be read
 * (the Trigger then says why).
 */
function plannedStacks(source: string, inputText: string): string[] {
  try {
    const value: unknown = JSON.parse(inputText);
    if (!namesCloudAssembly(value)) return [];
    const input = parseAssemblyInputFile(value);
    const manifest = readFileSync(join(source, input.cloudAssembly, 'manifest.json'), 'utf8');
    return planAssembly(manifest, input).map((stack) => stack.stackName);
  } catch {
    return [];
  }
}
