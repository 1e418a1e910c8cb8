import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type Finding, FindingSchema, VerdictSchema } from '@cfn-safe-deploy/changeset-policy';
import { executionNameFor, type Outcome, OutcomeSchema } from '@cfn-safe-deploy/state-payloads';
import { type CloudFormationFront, startCloudFormationFront } from './cloudformation-front.js';
import { type JobResult, LocalJobs } from './codepipeline.js';
import {
  ACCOUNT,
  ARTIFACT_BUCKET,
  FAKE_CREDENTIALS,
  INPUT_BUCKET,
  REGION,
  STATE_MACHINE_ARN,
  TEMPLATE_BUCKET,
} from './constants.js';
import { type EmulatedDefinition, loadDefinition } from './definition.js';
import { UsageError } from './errors.js';
import type { LocalServer } from './http.js';
import { startJsonEndpoint } from './json-endpoint.js';
import { functionArnOf, LocalLambda } from './lambda.js';
import { type FunctionLogLine, logCapture } from './log-capture.js';
import {
  type ExecutionEvent,
  type LocalExecution,
  LocalStepFunctions,
  type StateRun,
} from './step-functions.js';
import { zipDirectory } from './zip.js';

/** The `--json` summary of one deployment (the contract of DESIGN.md). */
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
}

/** The inspection as the state machine recorded it (`$.inspection`). */
export interface InspectionView {
  readonly verdict: string;
  readonly findings: Finding[];
  readonly allowed: Finding[];
}

/** Everything a report needs about one deployment. */
export interface DeployRecord {
  readonly summary: DeploySummary;
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
  /** What the functions logged during this deployment (the Trigger's lines too), in order. */
  readonly logs: readonly FunctionLogLine[];
}

export type DeployProgress =
  | { readonly kind: 'started'; readonly jobId: string; readonly stackName: string }
  | ExecutionEvent
  | { readonly kind: 'inspection'; readonly inspection: InspectionView };

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
  /** Every Wait state lasts this long. @default 10 */
  readonly waitMs?: number;
  /** How long the pipeline waits before invoking the Trigger again with its continuation token, at most. @default 1000 */
  readonly continuationIntervalMs?: number;
  /** Where the synthesized definition is cached. @default <stateDir>/cache */
  readonly cacheDir?: string;
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

interface Shared {
  readonly front: CloudFormationFront;
  readonly json: LocalServer;
  readonly stepFunctions: LocalStepFunctions;
  readonly jobs: LocalJobs;
  readonly trigger: LocalLambda;
  readonly definition: EmulatedDefinition;
}

let shared: Promise<Shared> | undefined;

/** The environment every bundle sees (region, fake credentials, the emulator's endpoints). */
function bundleEnvironment(front: string, json: string): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: FAKE_CREDENTIALS.sessionToken,
    AWS_ENDPOINT_URL_CLOUDFORMATION: front,
    AWS_ENDPOINT_URL_S3: front,
    AWS_ENDPOINT_URL_SFN: json,
    AWS_ENDPOINT_URL_CODEPIPELINE: json,
    AWS_S3_FORCE_PATH_STYLE: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_RUNTIME_API: '',
    TEMPLATE_BUCKET,
    STATE_MACHINE_ARN,
    // Powertools Logger writes through the global console in dev mode, which the capture redirects.
    POWERTOOLS_DEV: 'true',
  };
}

async function createShared(options: LocalCloudOptions): Promise<Shared> {
  const log = (line: string) => logCapture.write(line);
  const pageSize = options.changeSetPageSize ?? pageSizeFromEnv();
  const front = await startCloudFormationFront({
    upstream: options.motoEndpoint,
    ...(pageSize === undefined ? {} : { pageSize }),
    log,
  });
  const stepFunctions = new LocalStepFunctions();
  const jobs = new LocalJobs();
  const json = await startJsonEndpoint({ stepFunctions, jobs, log });
  for (const name of [
    'AWS_PROFILE',
    'AWS_ENDPOINT_URL',
    'AWS_DEFAULT_PROFILE',
    'AWS_ROLE_ARN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
  ]) {
    delete process.env[name];
  }
  Object.assign(process.env, bundleEnvironment(front.endpoint, json.endpoint));
  const definition = await loadDefinition(options.cacheDir ?? join(options.stateDir, 'cache'));

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
  const trigger = await LocalLambda.load({
    name: 'trigger',
    bundle: definition.triggerBundle,
    env: { POWERTOOLS_SERVICE_NAME: 'cfn-safe-deploy-trigger', AWS_LAMBDA_FUNCTION_NAME: 'trigger' },
    timeoutSeconds: 60,
    memoryMiB: 256,
  });
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
      invoke: (input) => lambda.invoke(input),
      timeoutSeconds: lambda.spec.timeoutSeconds,
    };
  }
  stepFunctions.registerStateMachine(STATE_MACHINE_ARN, {
    definition: definition.definition,
    tasks,
    waitMs: options.waitMs ?? 10,
    retryMs: 10,
  });
  return { front, json, stepFunctions, jobs, trigger, definition };
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The inspection in a state's output (`$.inspection`), when it has one. */
export function inspectionOf(output: unknown): InspectionView | undefined {
  const inspection = record(record(output)?.inspection);
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

function outcomeOf(execution: LocalExecution | undefined): Outcome | undefined {
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

/** `<environmentName>-<stackName>` read leniently from the input file (it may be malformed). */
function stackNameFromInput(text: string): string {
  try {
    const value = record(JSON.parse(text));
    if (typeof value?.environmentName === 'string' && typeof value.stackName === 'string') {
      return `${value.environmentName}-${value.stackName}`;
    }
  } catch {
    // malformed: the Trigger says so
  }
  return '';
}

/**
 * The emulated cloud of one process: the CloudFormation front, the JSON endpoint, Step Functions
 * and the loaded bundles. The bundles create their SDK clients once, at import, so the servers
 * they point at live as long as the process; another moto only changes the front's upstream.
 */
export class LocalCloud {
  private constructor(
    private readonly shared: Shared,
    readonly options: LocalCloudOptions,
  ) {}

  static async open(options: LocalCloudOptions): Promise<LocalCloud> {
    logCapture.redirect(join(options.stateDir, 'logs', 'functions.log'));
    shared ??= createShared(options);
    let current: Shared;
    try {
      current = await shared;
    } catch (error) {
      shared = undefined;
      throw error;
    }
    current.front.setUpstream(options.motoEndpoint);
    const cloud = new LocalCloud(current, options);
    await cloud.createBuckets();
    return cloud;
  }

  get definition(): EmulatedDefinition {
    return this.shared.definition;
  }

  get frontEndpoint(): string {
    return this.shared.front.endpoint;
  }

  get jsonEndpoint(): string {
    return this.shared.json.endpoint;
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
        const name = (error as Error).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
      }
    }
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
    const { stepFunctions, jobs, trigger } = this.shared;
    const startedAt = new Date();
    const jobId = randomUUID();
    const artifactKey = `safe-deploy/SourceArti/${jobId}.zip`;
    const inputKey = `${jobId}/${basename(inputFile)}`;
    const s3 = this.s3();
    await s3.send(
      new PutObjectCommand({ Bucket: ARTIFACT_BUCKET, Key: artifactKey, Body: zipDirectory(source) }),
    );
    await s3.send(new PutObjectCommand({ Bucket: INPUT_BUCKET, Key: inputKey, Body: inputBytes }));
    logCapture.write(`==== ${startedAt.toISOString()} job ${jobId}: ${source} with ${inputFile}`);

    const executionName = executionNameFor(jobId);
    let execution: LocalExecution | undefined;
    let inspected = false;
    const logs: FunctionLogLine[] = [];
    const stopLogs = logCapture.subscribe((logLine) => logs.push(logLine));
    const unsubscribe = stepFunctions.subscribe((running, event) => {
      if (running.name !== executionName) return;
      execution = running;
      options.onProgress?.(event);
      // The deploy state carries $.inspection on: it is shown once, when the inspection first appears.
      if (event.kind === 'state-exited' && !inspected) {
        const inspection = inspectionOf(event.state.output);
        if (inspection !== undefined) {
          inspected = true;
          options.onProgress?.({ kind: 'inspection', inspection });
        }
      }
    });
    options.onProgress?.({
      kind: 'started',
      jobId,
      stackName: stackNameFromInput(inputBytes.toString('utf8')),
    });

    jobs.register(jobId);
    let continuationToken: string | undefined;
    let final: JobResult | undefined;
    let invocations = 0;
    let lambdaErrors = 0;
    const interval = this.options.continuationIntervalMs ?? 1000;
    try {
      while (final === undefined) {
        invocations += 1;
        try {
          await trigger.invoke(this.jobEvent(jobId, artifactKey, inputKey, continuationToken));
        } catch (error) {
          // An asynchronous invocation that errors is retried twice by Lambda; then nobody answers the job.
          lambdaErrors += 1;
          logCapture.write(`trigger invocation ${invocations} failed: ${(error as Error).message}`);
          if (lambdaErrors > 2) {
            final = {
              kind: 'failure',
              type: 'JobFailed',
              message: `The Trigger Lambda failed ${lambdaErrors} times without answering the job (CodePipeline would wait until the action times out): ${(error as Error).message}`,
            };
          }
          continue;
        }
        const answers = jobs.take(jobId);
        const last = answers.at(-1);
        if (last === undefined) {
          final = {
            kind: 'failure',
            type: 'JobFailed',
            message:
              'The Trigger Lambda returned without answering the job (CodePipeline would wait until the action times out).',
          };
        } else if (last.kind === 'success' && last.continuationToken !== undefined) {
          continuationToken = last.continuationToken;
          const running =
            execution ?? (last.externalExecutionId ? this.tryDescribe(last.externalExecutionId) : undefined);
          await (running ? Promise.race([running.done, sleep(interval)]) : sleep(interval));
        } else {
          final = last;
        }
      }
    } finally {
      unsubscribe();
      stopLogs();
    }
    if (execution !== undefined && execution.status !== 'RUNNING') await execution.done;

    const outcome = outcomeOf(execution);
    const states = execution?.states ?? [];
    const inspection = [...states]
      .reverse()
      .map((state) => inspectionOf(state.output))
      .find((found) => found !== undefined);
    const stackName =
      outcome?.result === 'blue-green'
        ? outcome.blueGreenStackName
        : (outcome?.stackName ?? stackNameFromInput(inputBytes.toString('utf8')));
    const message =
      final.kind === 'failure' ? final.message : (final.summary ?? 'The pipeline action succeeded.');
    const summary: DeploySummary = {
      result: final.kind === 'success' ? 'Succeeded' : 'Failed',
      executionStatus: execution?.status ?? 'NOT_STARTED',
      path: states.map((state) => state.name),
      ...(inspection === undefined ? {} : { verdict: inspection.verdict }),
      stackName,
      stackStatus: await this.stackStatus(stackName),
      message,
    };
    return {
      summary,
      jobId,
      ...(execution === undefined ? {} : { executionArn: execution.executionArn }),
      startedAt,
      finishedAt: new Date(),
      source,
      inputFile,
      states,
      ...(inspection === undefined ? {} : { inspection }),
      ...(outcome === undefined ? {} : { outcome }),
      triggerInvocations: invocations,
      logs,
    };
  }

  private tryDescribe(executionArn: string): LocalExecution | undefined {
    try {
      return this.shared.stepFunctions.describeExecution(executionArn);
    } catch {
      return undefined;
    }
  }

  private async stackStatus(stackName: string): Promise<string> {
    if (stackName === '') return 'DOES_NOT_EXIST';
    try {
      const answer = await this.cloudFormation().send(new DescribeStacksCommand({ StackName: stackName }));
      return answer.Stacks?.[0]?.StackStatus ?? 'DOES_NOT_EXIST';
    } catch {
      return 'DOES_NOT_EXIST';
    }
  }

  private jobEvent(
    jobId: string,
    artifactKey: string,
    inputKey: string,
    continuationToken: string | undefined,
  ): unknown {
    return {
      'CodePipeline.job': {
        id: jobId,
        accountId: ACCOUNT,
        data: {
          actionConfiguration: {
            configuration: {
              FunctionName: 'trigger',
              UserParameters: JSON.stringify({ s3Bucket: INPUT_BUCKET, stateMachineFile: inputKey }),
            },
          },
          inputArtifacts: [
            {
              name: 'SourceArtifact',
              revision: null,
              location: { type: 'S3', s3Location: { bucketName: ARTIFACT_BUCKET, objectKey: artifactKey } },
            },
          ],
          outputArtifacts: [],
          artifactCredentials: { ...FAKE_CREDENTIALS },
          ...(continuationToken === undefined ? {} : { continuationToken }),
        },
      },
    };
  }
}
