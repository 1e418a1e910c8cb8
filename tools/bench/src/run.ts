import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suites } from './suites.js';
import type { BenchResult } from './types.js';

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const only = process.argv.slice(2);

function previousResults(file: string): BenchResult[] {
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { results?: BenchResult[] };
    return Array.isArray(parsed.results) ? parsed.results : [];
  } catch {
    return [];
  }
}

const results: BenchResult[] = [];
for (const suite of suites) {
  if (only.length > 0 && !only.includes(suite.name)) continue;
  process.stderr.write(`bench: running ${suite.name}…\n`);
  results.push(...(await suite.run()));
}

const out = join(workspaceRoot, 'bench', 'results.json');
mkdirSync(dirname(out), { recursive: true });
// A run of some suites keeps the last figures of the others, so results.json always has every suite.
const ran = new Set(results.map((r) => r.suite));
const kept = previousResults(out).filter((r) => !ran.has(r.suite));
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results: [...kept, ...results] }, null, 2)}\n`,
);

const rows = results.map((r) => [
  r.suite,
  r.name,
  `${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit}`,
  r.goal ?? '',
  r.meetsGoal === undefined ? '' : r.meetsGoal ? 'yes' : 'NO',
]);
// process.stdout.write: a suite that opens the emulator's LocalCloud has console.* sent to its log file.
const print = (text: string) => process.stdout.write(`${text}\n`);
const header = ['suite', 'measure', 'value', 'goal', 'met'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
print(line(header));
print(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) print(line(row));
print(`\nwritten to ${out}`);
