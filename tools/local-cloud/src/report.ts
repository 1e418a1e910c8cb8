import { describeFinding } from '@cfn-safe-deploy/state-payloads';
import type { DeployRecord } from './session.js';
import type { StateRun } from './step-functions.js';
import { escapeXml as escapeHtml } from './xml.js';

const SECRET_KEY = /secret|password|token|credential|accesskey|sessionkey|authorization/i;

/** A copy of `value` with every field whose name looks like a secret replaced. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, field]) => [
        key,
        SECRET_KEY.test(key) ? '***' : redact(field),
      ]),
    );
  }
  return value;
}

export function durationMs(state: StateRun): number | undefined {
  return state.exitedAt === undefined ? undefined : state.exitedAt - state.enteredAt;
}

function json(value: unknown): string {
  return escapeHtml(JSON.stringify(redact(value), null, 2) ?? 'null');
}

/** What stands for the template's text wherever the report does not show it. */
export const TEMPLATE_BODY_ELIDED = '«the template: see the output of Load Template»';

function hasTemplateBody(value: unknown): value is { template: { body: unknown } } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const { template } = value as { template?: unknown };
  return template !== null && typeof template === 'object' && 'body' in template;
}

function withoutTemplateBody(value: unknown): unknown {
  return hasTemplateBody(value)
    ? { ...value, template: { ...value.template, body: TEMPLATE_BODY_ELIDED } }
    : value;
}

/**
 * Every Task after Load Template receives the template's text in `$.template.body` (up to 51,200
 * bytes) and passes it on in its output: the report shows it once, in the first output that holds
 * it (Load Template's), and elides it in every other input and output.
 */
export function elideTemplateBodies(states: readonly StateRun[]): StateRun[] {
  let shown = false;
  return states.map((state) => {
    const showOutput = !shown && hasTemplateBody(state.output);
    if (showOutput) shown = true;
    return {
      ...state,
      input: withoutTemplateBody(state.input),
      output: showOutput ? state.output : withoutTemplateBody(state.output),
    };
  });
}

function stateRow(state: StateRun, index: number): string {
  const duration = durationMs(state);
  const error =
    state.error === undefined
      ? ''
      : `<p class="error">${escapeHtml(state.error)}: ${escapeHtml(state.cause ?? '')}</p>`;
  const io =
    state.type === 'Task'
      ? `<details><summary>input / output</summary><div class="io"><div><h4>Input</h4><pre>${json(state.input)}</pre></div><div><h4>Output</h4><pre>${state.output === undefined ? '—' : json(state.output)}</pre></div></div></details>`
      : '';
  return `<tr class="${state.error === undefined ? '' : 'failed'}"><td>${index + 1}</td><td>${escapeHtml(state.name)}</td><td>${escapeHtml(state.type)}</td><td class="num">${duration === undefined ? '—' : `${duration} ms`}</td><td>${state.retries > 0 ? `${state.retries} retr${state.retries === 1 ? 'y' : 'ies'}` : ''}${error}${io}</td></tr>`;
}

/** The HTML execution report: one self-contained page (no scripts, no external resources). */
export function renderReport(record: DeployRecord): string {
  const { summary } = record;
  const ok = summary.result === 'Succeeded';
  const findings = record.inspection?.findings ?? [];
  const allowed = record.inspection?.allowed ?? [];
  const findingList = (items: typeof findings) =>
    items.length === 0
      ? '<p>None.</p>'
      : `<ul>${items.map((finding) => `<li>${escapeHtml(describeFinding(finding))}</li>`).join('')}</ul>`;
  const totalMs = record.finishedAt.getTime() - record.startedAt.getTime();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>safe-deploy: ${escapeHtml(summary.stackName)} — ${summary.result}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.verdict { display: inline-block; padding: .15rem .6rem; border-radius: .3rem; font-weight: 600; }
.ok { background: #dafbe1; color: #116329; } .ko { background: #ffebe9; color: #a40e26; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; } tr.failed td { background: #fff5f5; }
pre { background: #f6f8fa; padding: .5rem; overflow: auto; max-height: 24rem; font-size: 12px; }
.io { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; } .error { color: #a40e26; margin: .2rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dt { font-weight: 600; }
</style>
</head>
<body>
<h1>safe-deploy execution report</h1>
<p><span class="verdict ${ok ? 'ok' : 'ko'}">${summary.result}</span></p>
<dl>
<dt>Stack</dt><dd>${escapeHtml(summary.stackName || '—')} (${escapeHtml(summary.stackStatus)})</dd>
<dt>Execution</dt><dd>${escapeHtml(record.executionArn ?? '—')} (${escapeHtml(summary.executionStatus)})</dd>
<dt>Pipeline job</dt><dd>${escapeHtml(record.jobId)}, ${record.triggerInvocations} Trigger invocation${record.triggerInvocations === 1 ? '' : 's'}</dd>
<dt>Source</dt><dd>${escapeHtml(record.source)}</dd>
<dt>Input file</dt><dd>${escapeHtml(record.inputFile)}</dd>
<dt>Started</dt><dd>${record.startedAt.toISOString()} (${totalMs} ms in all)</dd>
<dt>Verdict</dt><dd>${escapeHtml(summary.verdict ?? 'no inspection')}</dd>
</dl>
<h2>Message</h2>
<pre>${escapeHtml(summary.message)}</pre>
<h2>Findings</h2>
${findingList(findings)}
${allowed.length > 0 ? `<h2>Allowed by the policy</h2>${findingList(allowed)}` : ''}
<h2>Path taken</h2>
${record.states.length === 0 ? '<p>No execution ran.</p>' : `<table><thead><tr><th>#</th><th>State</th><th>Type</th><th>Duration</th><th>Details</th></tr></thead><tbody>${elideTemplateBodies(record.states).map(stateRow).join('')}</tbody></table>`}
${record.outcome === undefined ? '' : `<h2>Outcome</h2><pre>${json(record.outcome)}</pre>`}
</body>
</html>
`;
}
