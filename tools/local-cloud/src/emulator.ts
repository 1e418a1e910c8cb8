import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { freePort } from '@cfn-safe-deploy/testing/moto';
import { bootstrapAccount } from './bootstrap.js';
import { CLOUDFORMATION_STATE_FILE, MOTO_INSTALL_HINT } from './constants.js';
import { EnvironmentError } from './errors.js';

/** Where the emulator keeps its state (pid, port, logs): $SAFE_DEPLOY_HOME, else `.safe-deploy/` in the working directory. */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.SAFE_DEPLOY_HOME || join(process.cwd(), '.safe-deploy'));
}

/** What `emulator start` writes to `<state>/emulator.json`. */
export interface EmulatorRecord {
  readonly pid: number;
  readonly port: number;
  /** http://localhost:PORT: moto resolves the bucket of a template URL from its path only for localhost. */
  readonly endpoint: string;
  readonly python: string;
  readonly startedAt: string;
  readonly log: string;
}

export type EmulatorStatus =
  | { readonly running: true; readonly record: EmulatorRecord }
  | { readonly running: false; readonly reason: string };

const RECORD_FILE = 'emulator.json';

function recordPath(stateDir: string): string {
  return join(stateDir, RECORD_FILE);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Python to run moto with: $PYTHON, else the first `python3` on PATH that can import moto
 * (pnpm and npx put node's own directory first on PATH, which can hide a venv's python3);
 * $SAFE_DEPLOY_PYTHON is trusted as already checked.
 * @throws EnvironmentError with the install command when there is no Python 3 or no moto.
 */
export function findMotoPython(env: NodeJS.ProcessEnv = process.env): string {
  // Set by a caller (pnpm start) that has just checked it.
  if (env.SAFE_DEPLOY_PYTHON) return env.SAFE_DEPLOY_PYTHON;
  const candidates = env.PYTHON
    ? [env.PYTHON]
    : [
        ...new Set(
          (env.PATH ?? '')
            .split(delimiter)
            .filter(Boolean)
            .map((dir) => join(dir, 'python3')),
        ),
      ].filter(isExecutable);
  if (candidates.length === 0) {
    throw new EnvironmentError(
      `python3 was not found on PATH: the emulator runs moto; install Python 3, then ${MOTO_INSTALL_HINT}`,
    );
  }
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import moto.server'], { stdio: 'ignore', timeout: 30_000 });
    if (probe.status === 0) return candidate;
  }
  throw new EnvironmentError(
    `moto is not installed for ${candidates.join(', ')}: the emulator needs it; install it with ${MOTO_INSTALL_HINT}`,
  );
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function motoAnswers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function readRecord(stateDir: string): EmulatorRecord | undefined {
  const path = recordPath(stateDir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EmulatorRecord;
  } catch {
    return undefined;
  }
}

/** Whether the emulator recorded in `stateDir` runs and answers. */
export async function emulatorStatus(stateDir: string): Promise<EmulatorStatus> {
  const record = readRecord(stateDir);
  if (record === undefined) return { running: false, reason: `no emulator is recorded in ${stateDir}` };
  if (!processAlive(record.pid)) {
    return { running: false, reason: `the emulator recorded in ${stateDir} (pid ${record.pid}) is gone` };
  }
  if (!(await motoAnswers(record.port))) {
    return {
      running: false,
      reason: `the emulator (pid ${record.pid}) does not answer on port ${record.port}; see ${record.log}`,
    };
  }
  return { running: true, record };
}

function tail(path: string, characters = 1500): string {
  try {
    return readFileSync(path, 'utf8').slice(-characters).trim();
  } catch {
    return '';
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((done) => setTimeout(done, 50));
  }
  return !processAlive(pid);
}

export interface StartEmulatorOptions {
  readonly stateDir: string;
  /** @default a free port */
  readonly port?: number;
  /** @default 30_000 */
  readonly timeoutMs?: number;
}

/**
 * Starts moto (S3, CloudFormation) detached, in its own process group, logging to
 * `<state>/logs/moto.log`; resolves once it answers HTTP. An emulator already running there is reused.
 */
export async function startEmulator(
  options: StartEmulatorOptions,
): Promise<{ record: EmulatorRecord; alreadyRunning: boolean }> {
  const { stateDir } = options;
  const current = await emulatorStatus(stateDir);
  if (current.running) return { record: current.record, alreadyRunning: true };
  const python = findMotoPython();
  const port = options.port ?? (await freePort());
  if (options.port !== undefined && (await motoAnswers(port))) {
    throw new EnvironmentError(`port ${port} is already taken by another server: choose another with --port`);
  }
  const logs = join(stateDir, 'logs');
  mkdirSync(logs, { recursive: true });
  // A new moto starts with no stacks: the statuses kept for the previous one go.
  rmSync(join(stateDir, CLOUDFORMATION_STATE_FILE), { force: true });
  const log = join(logs, 'moto.log');
  const fd = openSync(log, 'w');
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const spawnFailure = new Promise<Error>((done) => child.once('error', done));
  let failure: Error | undefined;
  void spawnFailure.then((error) => {
    failure = error;
  });
  child.unref();
  const pid = child.pid;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (pid !== undefined && Date.now() < deadline) {
    if (failure !== undefined) break;
    if (child.exitCode !== null) break;
    if (await motoAnswers(port)) {
      const record: EmulatorRecord = {
        pid,
        port,
        endpoint: `http://localhost:${port}`,
        python,
        startedAt: new Date().toISOString(),
        log,
      };
      try {
        await bootstrapAccount({ endpoint: record.endpoint });
      } catch (error) {
        killGroup(pid, 'SIGKILL');
        throw new EnvironmentError(`the emulator could not be bootstrapped: ${(error as Error).message}`);
      }
      writeFileSync(recordPath(stateDir), `${JSON.stringify(record, null, 2)}\n`);
      return { record, alreadyRunning: false };
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  if (pid !== undefined) killGroup(pid, 'SIGKILL');
  const reason =
    failure?.message ??
    (child.exitCode !== null ? `moto exited with code ${child.exitCode}` : 'moto did not answer in time');
  throw new EnvironmentError(`the emulator could not start: ${reason}. ${tail(log)}`.trim());
}

/** Stops the emulator recorded in `stateDir` (its whole process group) and forgets it. */
export async function stopEmulator(stateDir: string): Promise<{ stopped: boolean; record?: EmulatorRecord }> {
  const record = readRecord(stateDir);
  if (record === undefined) return { stopped: false };
  if (processAlive(record.pid)) {
    killGroup(record.pid, 'SIGTERM');
    if (!(await waitForExit(record.pid, 5000))) {
      killGroup(record.pid, 'SIGKILL');
      await waitForExit(record.pid, 2000);
    }
  }
  rmSync(recordPath(stateDir), { force: true });
  return { stopped: true, record };
}
