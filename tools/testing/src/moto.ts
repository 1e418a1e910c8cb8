import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export interface MotoServer {
  /** http://localhost:PORT — `localhost`, because moto reads back template URLs it must resolve itself. */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** The Python interpreter. @default process.env.PYTHON, else the first `python3` on PATH that can import moto */
  readonly python?: string;
  /** How long to wait for moto to answer. @default 30_000 */
  readonly startTimeoutMs?: number;
}

const INSTALL_HINT = "install it with: pip install 'moto[server]'";

let cachedPython: string | undefined;

/**
 * The first `python3` on PATH that can import moto. Tools such as npx put the directory of `node`
 * (often /usr/bin) first on PATH, which can hide the Python (pyenv, venv) that has moto installed,
 * so every `python3` on PATH is tried in order. Falls back to plain `python3` (whose error then
 * names the install command).
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PYTHON) return env.PYTHON;
  if (cachedPython !== undefined) return cachedPython;
  const seen = new Set<string>();
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'python3');
    if (seen.has(candidate)) continue;
    seen.add(candidate);
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue;
    }
    const probe = spawnSync(candidate, ['-c', 'import moto'], { stdio: 'ignore', timeout: 20_000 });
    if (probe.status === 0) {
      cachedPython = candidate;
      return candidate;
    }
  }
  return 'python3';
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts `python3 -m moto.server` on a free loopback port in its own process group and resolves
 * once it answers HTTP. Fails with an install hint when Python or moto is missing.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? findPython();
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const port = await freePort();
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const spawnError = new Promise<Error>((resolve) => {
    child.once('error', (error) => resolve(error));
  });
  let failure: Error | undefined;
  void spawnError.then((error) => {
    failure =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? new Error(
            `moto could not start: "${python}" was not found; install Python 3, then ${INSTALL_HINT}`,
            {
              cause: error,
            },
          )
        : new Error(`moto could not start: ${error.message}`, { cause: error });
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = exited(child);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  const probe = `http://127.0.0.1:${port}/moto-api/`;
  while (Date.now() < deadline) {
    if (failure !== undefined) throw failure;
    if (child.exitCode !== null) {
      const missing = /No module named moto|ModuleNotFoundError/.test(stderr);
      throw new Error(
        missing
          ? `moto is not installed for ${python}; ${INSTALL_HINT}`
          : `moto exited with code ${child.exitCode} before answering: ${stderr.trim().slice(-1000)}`,
      );
    }
    if (await answers(probe)) {
      child.stderr?.removeAllListeners('data');
      child.stderr?.resume();
      return { endpoint: `http://localhost:${port}`, port, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(
    `moto did not answer on port ${port} within ${timeoutMs} ms: ${stderr.trim().slice(-1000)}`,
  );
}
