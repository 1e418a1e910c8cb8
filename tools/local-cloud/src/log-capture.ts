import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';

/** A line a function logged while it ran: when (epoch ms), which function, the text. */
export interface FunctionLogLine {
  readonly at: number;
  readonly source: string;
  readonly text: string;
}

export type LogListener = (line: FunctionLogLine) => void;

/**
 * Keeps the functions' log lines (Powertools Logger in dev mode writes through the global console)
 * and the SDK's process warnings out of the user's terminal: they go to a log file instead.
 * The CLI writes its own output with process.stdout.write, which this leaves alone.
 */
export class LogCapture {
  private file: string | undefined;
  private installed = false;
  private readonly source = new AsyncLocalStorage<string>();
  private readonly listeners = new Set<LogListener>();

  /** Runs `work` with every line it logs attributed to `source` (a function's name). */
  runAs<T>(source: string, work: () => Promise<T>): Promise<T> {
    return this.source.run(source, work);
  }

  /** Hears every line logged under a source (see runAs); returns the function that stops listening. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Where the captured lines go from now on. */
  redirect(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    this.file = file;
    this.install();
  }

  write(line: string): void {
    const source = this.source.getStore();
    if (source !== undefined) {
      const at = Date.now();
      for (const listener of this.listeners) listener({ at, source, text: line });
    }
    if (this.file === undefined) return;
    try {
      appendFileSync(this.file, line.endsWith('\n') ? line : `${line}\n`);
    } catch {
      // a log that cannot be written must not stop a deployment
    }
  }

  private install(): void {
    if (this.installed) return;
    this.installed = true;
    const sink =
      (level: string) =>
      (...args: unknown[]): void =>
        this.write(`${new Date().toISOString()} ${level} ${format(...args)}`);
    console.log = sink('LOG');
    console.info = sink('INFO');
    console.warn = sink('WARN');
    console.error = sink('ERROR');
    console.debug = sink('DEBUG');
    console.trace = sink('TRACE');
    process.emitWarning = ((warning: string | Error) =>
      this.write(
        `${new Date().toISOString()} WARNING ${warning instanceof Error ? `${warning.name}: ${warning.message}` : warning}`,
      )) as typeof process.emitWarning;
  }
}

export const logCapture = new LogCapture();
