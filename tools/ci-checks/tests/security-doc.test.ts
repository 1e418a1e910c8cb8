import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../src/paths.js';

// docs/SECURITY.md names, for each point of the threat model, the test that proves it, written
// `path/to/file.test.ts` › `test name`. A point whose test was renamed or removed is no longer proved.

const SECURITY_DOC = 'docs/SECURITY.md';

interface TestReference {
  readonly file: string;
  readonly name: string;
}

/** Every `file.test.ts` › `name` reference in the text. */
function testReferences(markdown: string): TestReference[] {
  const pattern = /`([^`\s]+\.test\.ts)`\s*›\s*`([^`]+)`/g;
  return [...markdown.matchAll(pattern)].map((match) => ({ file: match[1] ?? '', name: match[2] ?? '' }));
}

/** Why the reference is broken, or undefined when the file holds a test of that name. */
function brokenReason(reference: TestReference): string | undefined {
  const path = join(WORKSPACE_ROOT, reference.file);
  if (!existsSync(path)) return `${reference.file} does not exist`;
  const source = readFileSync(path, 'utf8');
  // The name as a test title is written: a string literal of its own (quotes or backticks).
  const quoted = ["'", '"', '`'].some((quote) => source.includes(`${quote}${reference.name}${quote}`));
  return quoted ? undefined : `${reference.file} has no test named "${reference.name}"`;
}

describe('docs/SECURITY.md', () => {
  const doc = readFileSync(join(WORKSPACE_ROOT, SECURITY_DOC), 'utf8');
  const references = testReferences(doc);

  it('names the tests that prove its points, in every section', () => {
    expect(references.length).toBeGreaterThanOrEqual(30);
    const sections = doc.split(/^## /m).slice(1);
    for (const section of sections.filter((text) => !text.startsWith('Out of scope'))) {
      expect(testReferences(section).length, `section "${section.split('\n')[0]}"`).toBeGreaterThan(0);
    }
  });

  it('names only tests that exist', () => {
    const broken = references.map(brokenReason).filter((reason): reason is string => reason !== undefined);
    expect(broken).toEqual([]);
  });

  it('finds a reference that is broken (the check itself can fail)', () => {
    const [reference] = testReferences(
      '`tools/ci-checks/tests/ci-doc.test.ts` › `a test nobody wrote`, `missing/file.test.ts` › `x`',
    );
    expect(reference).toEqual({
      file: 'tools/ci-checks/tests/ci-doc.test.ts',
      name: 'a test nobody wrote',
    });
    expect(brokenReason(reference as TestReference)).toBe(
      'tools/ci-checks/tests/ci-doc.test.ts has no test named "a test nobody wrote"',
    );
    expect(brokenReason({ file: 'missing/file.test.ts', name: 'x' })).toBe(
      'missing/file.test.ts does not exist',
    );
  });
});
