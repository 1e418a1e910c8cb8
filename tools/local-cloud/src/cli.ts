#!/usr/bin/env node
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_FAILED, EXIT_SUCCEEDED, EXIT_USAGE } from './constants.js';
import { emulatorStatus, startEmulator, stateDirectory, stopEmulator } from './emulator.js';
import { EnvironmentError, UsageError } from './errors.js';
import { readFaultsFile } from './faults.js';
import { progressPrinter } from './progress.js';
import { renderReport } from './report.js';
import { readSavedRun, savedRunOf } from './run-file.js';
import { LocalCloud } from './session.js';

const USAGE = `Usage:
  safe-deploy emulator start [--port N]   start moto (S3, CloudFormation) detached; state in .safe-deploy/
  safe-deploy emulator status | stop
  safe-deploy deploy --source DIR --input FILE [--faults FILE] [--report out.html] [--save run.json] [--json]
  safe-deploy report RUN.json [--out report.html]   rebuild the report of a run saved with --save

deploy does what CodePipeline does: DIR (any CloudFormation template at the input's templatePath)
becomes the source artifact, FILE the state machine input file; the Trigger Lambda bundle runs the
Deploy state machine on the emulator. --faults FILE makes the emulator slow or fail as AWS does
(a JSON file, see tools/local-cloud/README.md). Exit: 0 succeeded, 1 failed, 2 usage or environment error.
Environment: SAFE_DEPLOY_HOME (state directory), SAFE_DEPLOY_CHANGE_SET_PAGE_SIZE (DescribeChangeSet page size, default 2).`;

function line(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']) {
  try {
    return parseArgs({ args, options: options ?? {}, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

async function emulator(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const stateDir = stateDirectory();
  switch (action) {
    case 'start': {
      const { values } = parse(rest, { port: { type: 'string' } });
      let port: number | undefined;
      if (values.port !== undefined) {
        port = Number(values.port);
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
          throw new UsageError(`--port must be a TCP port number (1-65535), got "${String(values.port)}"`);
        }
      }
      mkdirSync(stateDir, { recursive: true });
      const { record, alreadyRunning } = await startEmulator({
        stateDir,
        ...(port === undefined ? {} : { port }),
      });
      line(
        `${alreadyRunning ? 'The emulator is already running' : 'Emulator started'}: moto (S3, CloudFormation) at ${record.endpoint}, pid ${record.pid}; state in ${stateDir}`,
      );
      return EXIT_SUCCEEDED;
    }
    case 'status': {
      parse(rest, {});
      const status = await emulatorStatus(stateDir);
      if (status.running) {
        line(
          `running: moto at ${status.record.endpoint}, pid ${status.record.pid}, since ${status.record.startedAt}; log ${status.record.log}`,
        );
        return EXIT_SUCCEEDED;
      }
      line(`not running: ${status.reason}`);
      return EXIT_FAILED;
    }
    case 'stop': {
      parse(rest, {});
      const { stopped, record } = await stopEmulator(stateDir);
      line(
        stopped && record
          ? `Emulator stopped (pid ${record.pid}, port ${record.port})`
          : 'No emulator was running',
      );
      return EXIT_SUCCEEDED;
    }
    default:
      throw new UsageError(
        `unknown emulator command ${JSON.stringify(action ?? '')}: expected start, status or stop`,
      );
  }
}

/** Writes `text` to `file` (its folder made if missing); returns the absolute path. */
function writeOut(file: string, text: string): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** `report RUN.json [--out FILE]`: the HTML report of a saved run (default: RUN.html beside it). */
function report(args: string[]): number {
  let values: { out?: string | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { out: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    throw new UsageError(
      `report needs exactly one saved run file (got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(', ')})`,
    );
  }
  const run = readSavedRun(file);
  const out = values.out ?? file.replace(/(\.json)?$/i, '.html');
  line(`Report: ${writeOut(out, renderReport(run))}`);
  return EXIT_SUCCEEDED;
}

async function deploy(args: string[]): Promise<number> {
  const { values } = parse(args, {
    source: { type: 'string' },
    input: { type: 'string' },
    report: { type: 'string' },
    save: { type: 'string' },
    json: { type: 'boolean' },
    faults: { type: 'string' },
  });
  if (typeof values.source !== 'string' || typeof values.input !== 'string') {
    throw new UsageError('deploy needs --source DIR and --input FILE');
  }
  // A bad faults file is refused before anything runs.
  const faults = typeof values.faults === 'string' ? readFaultsFile(values.faults) : undefined;
  const stateDir = stateDirectory();
  const status = await emulatorStatus(stateDir);
  if (!status.running) {
    throw new EnvironmentError(
      `the emulator is not running (${status.reason}): start it with "pnpm --silent safe-deploy emulator start"`,
    );
  }
  const json = values.json === true;
  const cloud = await LocalCloud.open({
    motoEndpoint: status.record.endpoint,
    stateDir,
    ...(faults === undefined ? {} : { faults }),
  });
  const record = await cloud.deploy({
    source: values.source,
    input: values.input,
    ...(json ? {} : { onProgress: progressPrinter() }),
  });
  if (typeof values.report === 'string' || typeof values.save === 'string') {
    const run = savedRunOf(record, cloud.definition);
    if (typeof values.save === 'string') {
      const path = writeOut(values.save, `${JSON.stringify(run, null, 1)}\n`);
      if (!json) line(`Run saved: ${path}`);
    }
    if (typeof values.report === 'string') {
      const path = writeOut(values.report, renderReport(run));
      if (!json) line(`Report: ${path}`);
    }
  }
  const { summary } = record;
  if (json) {
    line(JSON.stringify(summary));
  } else {
    line();
    line(`${summary.result}: ${summary.message}`);
    line(
      `Stack ${summary.stackName || '(unknown)'}: ${summary.stackStatus}; execution ${summary.executionStatus}`,
    );
  }
  return summary.result === 'Succeeded' ? EXIT_SUCCEEDED : EXIT_FAILED;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'emulator':
        return await emulator(rest);
      case 'deploy':
        return await deploy(rest);
      case 'report':
        return report(rest);
      case '--help':
      case '-h':
      case 'help':
        line(USAGE);
        return EXIT_SUCCEEDED;
      default:
        throw new UsageError(
          command === undefined ? 'no command given' : `unknown command ${JSON.stringify(command)}`,
        );
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`safe-deploy: ${error.message}\n\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`safe-deploy: ${error instanceof EnvironmentError ? '' : 'error: '}${message}\n`);
    return EXIT_USAGE;
  }
}

const code = await main(process.argv.slice(2));
// Flush, then leave: SDK sockets and the emulator's servers must not keep the process alive.
process.stdout.write('', () => process.exit(code));
