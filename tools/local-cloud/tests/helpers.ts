import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import type { DeploySummary } from '../src/index.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(projectRoot, 'dist', 'cli.js');
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `safe-deploy` CLI with its state in `home`. */
export function cli(args: string[], home: string, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      { env: { ...process.env, SAFE_DEPLOY_HOME: home, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 99;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** One emulator for a test file: its state directory, moto's endpoint, and clients that look from outside. */
export interface TestEmulator {
  readonly home: string;
  readonly endpoint: string;
  readonly cfn: CloudFormationClient;
  /** The fake credentials moto accepts, for other clients of the emulator. */
  readonly credentials: typeof credentials;
  stop(): Promise<void>;
}

export async function startTestEmulator(): Promise<TestEmulator> {
  const home = mkdtempSync(join(tmpdir(), 'safe-deploy-test-'));
  const started = await cli(['emulator', 'start'], home);
  if (started.code !== 0) throw new Error(`emulator start failed: ${started.stderr}`);
  const record = JSON.parse(readFileSync(join(home, 'emulator.json'), 'utf8')) as { endpoint: string };
  return {
    home,
    endpoint: record.endpoint,
    cfn: new CloudFormationClient({ endpoint: record.endpoint, region: 'us-east-1', credentials }),
    credentials,
    async stop() {
      await cli(['emulator', 'stop'], home);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** `safe-deploy deploy --json`: the exit code and the one summary object. */
export async function deployJson(
  emulator: TestEmulator,
  source: string,
  input: Record<string, unknown> | string,
  extra: string[] = [],
): Promise<{ code: number; summary: DeploySummary; stderr: string; stdout: string }> {
  const inputFile = join(emulator.home, `input-${crypto.randomUUID()}.json`);
  writeFileSync(inputFile, typeof input === 'string' ? input : JSON.stringify(input));
  const run = await cli(
    ['deploy', '--source', source, '--input', inputFile, '--json', ...extra],
    emulator.home,
  );
  let summary: DeploySummary;
  try {
    summary = JSON.parse(run.stdout) as DeploySummary;
  } catch (error) {
    throw new Error(`stdout is not one JSON object (exit ${run.code}): ${run.stdout}\n${run.stderr}`, {
      cause: error,
    });
  }
  return { code: run.code, summary, stderr: run.stderr, stdout: run.stdout };
}

export async function stackStatus(cfn: CloudFormationClient, stackName: string): Promise<string | undefined> {
  try {
    return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus;
  } catch {
    return undefined;
  }
}

/** Change sets left on a stack that could still be executed (or failed and not deleted). */
export async function changeSetsLeft(cfn: CloudFormationClient, stackName: string): Promise<number> {
  const answer = await cfn.send(new ListChangeSetsCommand({ StackName: stackName }));
  return (answer.Summaries ?? []).filter(
    (summary) => summary.ExecutionStatus === 'AVAILABLE' || summary.Status === 'FAILED',
  ).length;
}
