import { type MockInstance, vi } from 'vitest';

/**
 * Captures everything written to stdout and stderr (where the Powertools Logger and console write)
 * while it is active, and keeps the test output quiet.
 */
export class LogCapture {
  private readonly chunks: string[] = [];
  private spies: MockInstance[] = [];

  start(): void {
    const record = (chunk: unknown): boolean => {
      this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    };
    this.spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation(record),
      vi.spyOn(process.stderr, 'write').mockImplementation(record),
      ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
        vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
          record(`${args.map(String).join(' ')}\n`);
        }),
      ),
    ];
  }

  stop(): void {
    for (const spy of this.spies) spy.mockRestore();
    this.spies = [];
  }

  get text(): string {
    return this.chunks.join('');
  }

  /** The structured (JSON) log lines written so far. */
  get lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  clear(): void {
    this.chunks.length = 0;
  }
}
