import { describeFinding } from '@cfn-safe-deploy/state-payloads';
import type { DeployProgress } from './session.js';
import type { StateRun } from './step-functions.js';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Prints the execution as it runs: each state entered and left, with its duration; the inspection's findings. */
export function progressPrinter(
  write: (text: string) => void = (text) => process.stdout.write(text),
  tty: boolean = process.stdout.isTTY === true,
  indent = '  ',
  /** Only the line of each state left (the demo); otherwise entered and left. */
  compact = false,
): (event: DeployProgress) => void {
  const line = (text = ''): void => write(`${text}\n`);
  let pending: string | undefined;
  const finishPending = () => {
    if (pending !== undefined && tty) write('\n');
    pending = undefined;
  };
  const exitLine = (mark: string, state: StateRun, extra = '') => {
    const duration = formatMs(state.exitedAt === undefined ? undefined : state.exitedAt - state.enteredAt);
    const text = `${indent}${mark} ${state.name.padEnd(36)} ${duration.padStart(9)}${extra}`;
    if (tty && pending === state.name) write(`\r\x1b[2K${text}\n`);
    else {
      finishPending();
      line(tty || compact ? text : `${indent}← ${state.name} (${duration})${extra}`);
    }
    pending = undefined;
  };
  return (event) => {
    switch (event.kind) {
      case 'started':
        line(
          `Deploying ${event.stackName || 'the stack named in the input file'} on the local emulator (pipeline job ${event.jobId})`,
        );
        return;
      case 'state-entered':
        finishPending();
        if (compact) return;
        if (tty) {
          write(`${indent}… ${event.state.name}`);
          pending = event.state.name;
        } else line(`${indent}→ ${event.state.name}`);
        return;
      case 'state-exited':
        exitLine('✓', event.state);
        return;
      case 'state-failed':
        exitLine('✗', event.state, `  ${event.state.error ?? ''}`);
        return;
      case 'state-retried':
        finishPending();
        line(`${indent}↻ ${event.state.name} is retried (${event.state.retries})`);
        return;
      case 'inspection': {
        finishPending();
        const { verdict, findings, allowed } = event.inspection;
        line(
          `${indent}    verdict: ${verdict}${findings.length > 0 ? `, ${findings.length} finding${findings.length === 1 ? '' : 's'}` : ''}`,
        );
        for (const finding of findings) line(`${indent}    ✗ ${describeFinding(finding)}`);
        for (const finding of allowed)
          line(`${indent}    ✓ allowed by the policy: ${describeFinding(finding)}`);
        return;
      }
      case 'execution-ended':
        finishPending();
        return;
    }
  };
}
