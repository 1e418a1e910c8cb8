import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The package's build (`pnpm nx run sample-function:build`, which this project's test target runs
 * first) makes two bundles of the same source: dist/ (code revision "1") and dist-next/ ("2").
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = (dir: string): string => readFileSync(join(root, dir, 'index.mjs'), 'utf8');

describe('the two builds', () => {
  it('are one ES module each that exports the handler', () => {
    for (const dir of ['dist', 'dist-next']) {
      expect(bundle(dir), dir).toMatch(/export\s*\{[^}]*\bas handler\b/);
      expect(bundle(dir), dir).not.toContain('process.env.SAMPLE_CODE_REVISION');
    }
  });

  it('differ only by the code revision the bundler wrote in: one character, "1" → "2"', () => {
    // GIVEN
    const current = bundle('dist');
    const next = bundle('dist-next');

    // WHEN
    const differences = [...current].flatMap((char, index) =>
      char === next[index] ? [] : [{ index, current: char, next: next[index] }],
    );

    // THEN
    expect(next.length).toBe(current.length);
    expect(differences).toHaveLength(1);
    const [difference] = differences;
    expect(difference).toMatchObject({ current: '1', next: '2' });
    expect(current.slice((difference?.index ?? 0) - 1, (difference?.index ?? 0) + 2)).toBe('"1"');
  });
});
