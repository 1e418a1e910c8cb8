import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../src/fault-injection.js';
import { LambdaFunctionError, LocalLambda } from '../src/lambda.js';

/** A bundle whose handler counts its runs in a global, so a test sees whether it ran. */
async function countingLambda(name: string): Promise<{ lambda: LocalLambda; runs: () => number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fault-injection-'));
  const bundle = join(dir, 'index.mjs');
  const key = `__runs_${name.replaceAll('-', '_')}_${crypto.randomUUID().slice(0, 8)}`;
  writeFileSync(
    bundle,
    `export const handler = async (event) => { globalThis.${key} = (globalThis.${key} ?? 0) + 1; return { echo: event }; };\n`,
  );
  const lambda = await LocalLambda.load({ name, bundle, env: {}, timeoutSeconds: 10, memoryMiB: 128 });
  const runs = () => (globalThis as Record<string, unknown>)[key] as number | undefined;
  return { lambda, runs: () => runs() ?? 0 };
}

async function failureOf(promise: Promise<unknown>): Promise<LambdaFunctionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LambdaFunctionError);
    return error as LambdaFunctionError;
  }
  throw new Error('the invocation did not fail');
}

describe('FaultInjector', () => {
  it('throttles the share of calls the file gives, the same calls for the same seed', () => {
    const draws = (seed: number) => {
      const injector = new FaultInjector({ throttle: { cloudformation: 0.3 }, seed });
      return Array.from({ length: 200 }, () => injector.throttles('cloudformation', 'DescribeStacks'));
    };
    const first = draws(7);
    expect(draws(7)).toEqual(first);
    expect(draws(8)).not.toEqual(first);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.15);
    expect(share).toBeLessThan(0.45);
    const other = new FaultInjector({ throttle: { cloudformation: 1 } });
    expect(other.throttles('s3', 'GET /x')).toBe(false);
    expect(other.throttles('cloudformation', 'CreateStack')).toBe(true);
  });

  it('crashes once before the handler runs, then lets the next invocation through', async () => {
    const { lambda, runs } = await countingLambda('execute-change-set');
    const injector = new FaultInjector({ crash: { 'execute-change-set': 'once' } });
    const seen: string[] = [];
    injector.subscribe((fault) => seen.push(`${fault.kind} ${fault.target}`));

    const crash = await failureOf(injector.invoke(lambda, { n: 1 }));
    expect(crash.errorType).toBe('Runtime.ExitError');
    expect(runs()).toBe(0);
    await expect(injector.invoke(lambda, { n: 2 })).resolves.toEqual({ echo: { n: 2 } });
    expect(runs()).toBe(1);
    expect(seen).toEqual(['crash execute-change-set']);
  });

  it('hangs always: the handler does its work each time, and each invocation times out', async () => {
    const { lambda, runs } = await countingLambda('check-stack-existence');
    const injector = new FaultInjector({ hang: { 'check-stack-existence': 'always' }, timeoutScale: 0.001 });

    for (const attempt of [1, 2]) {
      const hang = await failureOf(injector.invoke(lambda, {}));
      expect(hang.errorType).toBe('Sandbox.Timedout');
      expect(hang.errorMessage).toContain('Task timed out after 10.00 seconds');
      expect(runs()).toBe(attempt);
    }
  });

  it('leaves functions the file does not name alone', async () => {
    const { lambda, runs } = await countingLambda('load-template');
    const injector = new FaultInjector({ crash: { 'execute-change-set': 'always' } });
    await expect(injector.invoke(lambda, 'x')).resolves.toEqual({ echo: 'x' });
    expect(runs()).toBe(1);
  });
});
