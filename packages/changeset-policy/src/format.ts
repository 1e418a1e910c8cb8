import { type Evaluation, type Finding, SAFE } from './schemas.js';

/** The CLI's JSON document: exactly verdict, findings and allowed. */
export interface JsonReport {
  readonly verdict: Evaluation['verdict'];
  readonly findings: readonly Finding[];
  readonly allowed: readonly Finding[];
}

export function toJsonReport(evaluation: Evaluation): JsonReport {
  return { verdict: evaluation.verdict, findings: evaluation.findings, allowed: evaluation.allowed };
}

export function formatJson(evaluation: Evaluation): string {
  return `${JSON.stringify(toJsonReport(evaluation), null, 2)}\n`;
}

export interface TextOptions {
  /** Colour the verdict line (only for a terminal). @default false */
  readonly color?: boolean;
}

const ROOT = '(root)';

/**
 * C0 and C1 control characters, DEL, and the Unicode line and paragraph separators and
 * bidirectional controls: anything that could end a line, move the cursor, recolour or reorder the
 * text of a build log.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escapeControl(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default: {
      const code = ch.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
}

/**
 * Text from the input (logical ids, types, status reasons) with its control characters written as
 * escapes (`\n`, `\x1b`, `\u202e`), so that a change set cannot forge a verdict line or recolour
 * the report in a terminal or build log.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

function stackPathText(path: readonly string[]): string {
  return path.length === 0 ? ROOT : path.join('/');
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  // The last column (the reason) is not padded: it is free text and may be long.
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    line(widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? (header[i]?.length ?? w) : w))),
    ...rows.map(line),
  ];
}

const COLUMNS = ['STACK PATH', 'LOGICAL ID', 'TYPE', 'ACTION', 'REPLACEMENT', 'POLICY ACTION'];

function cells(finding: Finding): string[] {
  return [
    stackPathText(finding.stackPath),
    finding.logicalResourceId,
    finding.resourceType,
    finding.action,
    finding.replacement ?? '-',
    finding.policyAction ?? '-',
  ].map(terminalSafe);
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** A report a reviewer reads in a pull-request or build log. */
export function formatText(evaluation: Evaluation, options: TextOptions = {}): string {
  const safe = evaluation.verdict === SAFE;
  const summary = safe
    ? `no unsafe change${evaluation.allowed.length > 0 ? `; ${plural(evaluation.allowed.length, 'destructive change')} allowed by the policy` : ''}`
    : `${plural(evaluation.findings.length, 'unsafe change')}${evaluation.allowed.length > 0 ? `; ${evaluation.allowed.length} allowed by the policy` : ''}`;
  const verdict = options.color
    ? `\u001b[1;${safe ? '32' : '31'}m${evaluation.verdict}\u001b[0m`
    : evaluation.verdict;
  const lines = [`${verdict}: ${summary}`];
  if (evaluation.findings.length > 0) {
    lines.push('', 'Unsafe changes:');
    lines.push(
      ...table(
        [...COLUMNS, 'REASON'],
        evaluation.findings.map((f) => [...cells(f), terminalSafe(f.reason)]),
      ),
    );
  }
  if (evaluation.allowed.length > 0) {
    lines.push('', 'Allowed by the policy:');
    lines.push(
      ...table(
        [...COLUMNS, 'ALLOWED BY', 'REASON'],
        evaluation.allowed.map((f) => [
          ...cells(f),
          terminalSafe(f.allowedBy ?? '-'),
          terminalSafe(f.reason),
        ]),
      ),
    );
  }
  if (evaluation.notes.length > 0) {
    lines.push('', 'Notes:', ...evaluation.notes.map((note) => `- ${terminalSafe(note)}`));
  }
  return `${lines.join('\n')}\n`;
}
