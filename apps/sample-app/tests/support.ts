import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SampleAssembly, synthesizeSampleAssembly } from '../src/assembly.js';
import type { Variant } from '../src/variants.js';

/** A CloudFormation template as JSON (the tests read only what they assert). */
export interface TemplateJson {
  readonly Parameters?: Record<string, Record<string, unknown>>;
  readonly Rules?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }
  >;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
  readonly [key: string]: unknown;
}

export interface Synthesized extends SampleAssembly {
  readonly templates: Record<string, TemplateJson>;
}

const outdirs: string[] = [];

/** Synthesizes a variant into a new temporary folder and reads both templates back. */
export async function synthesized(variant: Variant): Promise<Synthesized> {
  const outdir = mkdtempSync(join(tmpdir(), `sample-app-${variant}-`));
  outdirs.push(outdir);
  const assembly = await synthesizeSampleAssembly(variant, outdir);
  const templates = Object.fromEntries(
    assembly.stacks.map((stack) => [
      stack.artifactId,
      JSON.parse(readFileSync(join(assembly.outdir, stack.templateFile), 'utf8')) as TemplateJson,
    ]),
  );
  return { ...assembly, templates };
}

export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The JSON paths at which two values differ (added, removed or changed), sorted. */
export function differences(before: unknown, after: unknown, path = ''): string[] {
  if (typeof before !== typeof after || Array.isArray(before) !== Array.isArray(after)) return [path];
  if (typeof before === 'object' && before !== null && after !== null) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) =>
      key in a && key in b ? differences(a[key], b[key], `${path}/${key}`) : [`${path}/${key}`],
    );
  }
  return before === after ? [] : [path];
}
