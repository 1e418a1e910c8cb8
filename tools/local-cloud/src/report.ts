import type { Finding } from '@cfn-safe-deploy/changeset-policy';
import { redact } from './masking.js';
import { foldedStates, layoutMachine, pathOf, renderMachineSvg } from './report-graph.js';
import type { AttemptedStack, Machine, SavedRun, SavedStateRun, StackRun } from './run-file.js';
import { escapeXml as escapeHtml } from './xml.js';

export { redact } from './masking.js';

export function durationMs(state: {
  readonly enteredAt: number;
  readonly exitedAt?: number;
}): number | undefined {
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
export function elideTemplateBodies<S extends { readonly input: unknown; readonly output?: unknown }>(
  states: readonly S[],
): S[] {
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

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** One line a person reads first: what happened to this stack. */
export function headlineOf(stack: StackRun, result: SavedRun['result']): string {
  if (stack.status === 'not-attempted') return 'not attempted';
  switch (stack.outcome?.result) {
    case 'created':
      return 'created';
    case 'updated':
      return 'updated';
    case 'no-changes':
      return 'no changes';
    case 'blue-green':
      return 'deployed to a new blue/green stack';
    case 'refused':
      return 'refused';
    case 'failed':
      return `failed (${stack.outcome.stage})`;
    default:
      return stack.executionStatus === 'NOT_STARTED'
        ? 'not started'
        : result === 'Succeeded'
          ? 'succeeded'
          : 'failed';
  }
}

function tone(stack: StackRun, result: SavedRun['result']): 'ok' | 'ko' | 'skip' {
  if (stack.status === 'not-attempted') return 'skip';
  const headline = headlineOf(stack, result);
  return headline === 'refused' || headline.startsWith('failed') || headline === 'not started' ? 'ko' : 'ok';
}

interface StackFinding {
  readonly stack: string;
  readonly finding: Finding;
}

function findingsTable(
  rows: readonly StackFinding[],
  several: boolean,
  allowed: boolean,
  caption: string,
): string {
  const head = [
    ...(several ? ['Stack'] : []),
    'Stack path',
    'Logical id',
    'Type',
    'Action',
    'Replacement',
    'Policy action',
    'Reason',
    ...(allowed ? ['Allowed by'] : []),
  ];
  const cell = (text: string | null | undefined, cls = '') =>
    `<td${cls === '' ? '' : ` class="${cls}"`}>${text === null || text === undefined || text === '' ? '—' : escapeHtml(text)}</td>`;
  const body = rows
    .map(
      ({ stack, finding }) =>
        `<tr>${several ? cell(stack) : ''}${cell(finding.stackPath.length === 0 ? '(root)' : finding.stackPath.join(' / '))}${cell(finding.logicalResourceId, 'id')}${cell(finding.resourceType)}${cell(finding.action, 'short')}${cell(finding.replacement, 'short')}${cell(finding.policyAction, 'short')}${cell(finding.reason, 'reason')}${allowed ? cell(finding.allowedBy) : ''}</tr>`,
    )
    .join('');
  return `<div class="scroll-x"><table class="findings${allowed ? ' allowed' : ''}"><caption>${escapeHtml(caption)}</caption><thead><tr>${head.map((title) => `<th scope="col">${title}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div>`;
}

function stackLabel(stack: StackRun): string {
  return stack.stackName === '' ? '(stack not named: the input file could not be read)' : stack.stackName;
}

/** The top of the page: the outcome, the stacks, the verdict and what blocked the deployment. */
function verdictFirst(run: SavedRun): string {
  const several = run.stacks.length > 1;
  const attempted = run.stacks.filter((stack): stack is AttemptedStack => stack.status === 'attempted');
  const blocking = attempted.flatMap((stack) =>
    stack.findings.map((finding) => ({ stack: stack.stackName, finding })),
  );
  const allowed = attempted.flatMap((stack) =>
    stack.allowed.map((finding) => ({ stack: stack.stackName, finding })),
  );
  const first = run.stacks[0];
  const title =
    !several && first !== undefined
      ? `${stackLabel(first)}: ${headlineOf(first, run.result)}`
      : `${plural(run.stacks.length, 'stack')}: ${run.result === 'Succeeded' ? 'deployed' : 'the deployment failed'}`;
  const verdicts = [
    ...new Set(attempted.flatMap((stack) => (stack.verdict === undefined ? [] : [stack.verdict]))),
  ];
  const stackList = run.stacks
    .map(
      (stack, index) =>
        `<li class="${tone(stack, run.result)}"><a href="#stack-${index}">${escapeHtml(stackLabel(stack))}</a>: ${escapeHtml(headlineOf(stack, run.result))}${stack.status === 'attempted' ? ` <span class="muted">(${escapeHtml(stack.stackStatus)})</span>` : ''}</li>`,
    )
    .join('');
  const blockedBy =
    blocking.length > 0
      ? findingsTable(
          blocking,
          several,
          false,
          `What blocked the deployment: ${plural(blocking.length, 'change')} that would delete or replace a resource`,
        )
      : '';
  const allowedTable =
    allowed.length > 0
      ? findingsTable(
          allowed,
          several,
          true,
          `Allowed by the policy (${plural(allowed.length, 'change')}, not blocking)`,
        )
      : '';
  return `<header class="verdict-first">
<p class="result ${run.result === 'Succeeded' ? 'ok' : 'ko'}">${run.result === 'Succeeded' ? 'Succeeded' : 'Failed'}</p>
<h1>${escapeHtml(title)}</h1>
<dl class="facts">
<dt>Verdict</dt><dd>${verdicts.length === 0 ? 'no inspection' : verdicts.map((verdict) => `<code class="${verdict.startsWith('CAN-') ? 'ok' : 'ko'}">${escapeHtml(verdict)}</code>`).join(' ')}</dd>
<dt>${several ? 'Stacks, in deployment order' : 'Stack'}</dt><dd><ul class="stacks">${stackList}</ul></dd>
<dt>Pipeline said</dt><dd><pre class="message">${escapeHtml(run.message)}</pre></dd>
</dl>
${blockedBy}
${allowedTable}
</header>`;
}

function retryPolicy(machine: Machine, name: string): string {
  const retries = machine.states[name]?.retries ?? [];
  return retries.map((retry) => `up to ${retry.maxAttempts} on ${retry.errors.join(', ')}`).join('; ');
}

/** One run of a state; `previous` is the state that ran just before it (its output is usually this input). */
function runDetail(
  state: SavedStateRun,
  index: number,
  total: number,
  fn: string | undefined,
  previous: SavedStateRun | undefined,
  detailId: (name: string) => string,
): string {
  const failed = state.error !== undefined;
  const header = `${total > 1 ? `Run ${index + 1} of ${total}: ` : ''}${formatDuration(durationMs(state))}, ${plural(state.retries, 'retry', 'retries')}${failed ? `, failed: ${escapeHtml(state.error ?? '')}` : ''}`;
  const error = failed
    ? `<h5>Error</h5><pre class="error">${escapeHtml(`${state.error}: ${state.cause ?? ''}`)}</pre>`
    : '';
  const inputText = json(state.input);
  // Most states receive what the previous one returned, and Choice/Wait/Pass states often pass it
  // on: saying so instead of repeating it halves the page.
  const input =
    previous !== undefined && previous.output !== undefined && json(previous.output) === inputText
      ? `<p class="same">Input: the output of <button type="button" class="link" data-detail="${detailId(previous.name)}">${escapeHtml(previous.name)}</button>.</p>`
      : `<details class="input"><summary>Input</summary><pre>${inputText}</pre></details>`;
  const output =
    state.type === 'Fail'
      ? ''
      : state.output !== undefined && json(state.output) === inputText
        ? '<p class="same">Output: its input, unchanged.</p>'
        : `<details class="output" open><summary>Output</summary><pre>${state.output === undefined ? '—' : json(state.output)}</pre></details>`;
  const logs =
    fn === undefined
      ? ''
      : `<details class="logs"${state.logs.length > 0 ? ' open' : ''}><summary>Log lines of ${escapeHtml(fn)} (${state.logs.length})</summary><pre class="log">${state.logs.length === 0 ? 'none' : escapeHtml(state.logs.join('\n'))}</pre></details>`;
  return `<section class="run"><h4>${header}</h4>${error}${input}${output}${logs}</section>`;
}

function stateDetails(
  machine: Machine,
  states: readonly SavedStateRun[],
  detailId: (name: string) => string,
  folded: ReadonlySet<string>,
): string {
  const shown = elideTemplateBodies(states);
  return Object.entries(machine.states)
    .filter(([name]) => !folded.has(name))
    .map(([name, state]) => {
      const runs = shown.flatMap((run, position) => (run.name === name ? [{ run, position }] : []));
      const policy = retryPolicy(machine, name);
      const meta = [
        state.type,
        state.function === undefined ? '' : `function ${escapeHtml(state.function)}`,
        runs.length === 0 ? 'not taken in this execution' : `ran ${plural(runs.length, 'time')}`,
        policy === '' ? '' : `retry policy: ${escapeHtml(policy)}`,
      ].filter(Boolean);
      const details = runs.map(({ run, position }, index) =>
        runDetail(run, index, runs.length, state.function, shown[position - 1], detailId),
      );
      return `<div class="detail" id="${detailId(name)}" hidden><h3>${escapeHtml(name)}</h3><p class="muted">${meta.join(' · ')}</p>${details.join('')}</div>`;
    })
    .join('');
}

function pathTable(states: readonly SavedStateRun[], detailId: (name: string) => string): string {
  if (states.length === 0) return '<p>No execution ran.</p>';
  const rows = states
    .map((state, index) => {
      const status = state.error !== undefined || state.type === 'Fail' ? 'failed' : 'succeeded';
      return `<tr class="${status}" data-detail="${detailId(state.name)}" tabindex="0"><td class="num">${index + 1}</td><td>${escapeHtml(state.name)}</td><td>${escapeHtml(state.type)}</td><td class="num">${formatDuration(durationMs(state))}</td><td class="num">${state.retries > 0 ? state.retries : ''}</td><td>${state.error === undefined ? '' : escapeHtml(state.error)}</td></tr>`;
    })
    .join('');
  return `<details class="path"><summary>The path as a list (${plural(states.length, 'state')})</summary><table><thead><tr><th>#</th><th>State</th><th>Type</th><th>Duration</th><th>Retries</th><th>Error</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

function stackSection(run: SavedRun, stack: StackRun, index: number): string {
  const heading = `<h2><span class="tag ${tone(stack, run.result)}">${escapeHtml(headlineOf(stack, run.result))}</span> ${run.stacks.length > 1 ? `${index + 1}. ` : ''}${escapeHtml(stackLabel(stack))}</h2>`;
  if (stack.status === 'not-attempted') {
    return `<section class="stack not-attempted" id="stack-${index}">${heading}<p>Not attempted: ${escapeHtml(stack.reason)}</p></section>`;
  }
  const names = Object.keys(run.machine.states);
  const detailId = (name: string) => `s${index}-state-${Math.max(0, names.indexOf(name))}`;
  const path = pathOf(stack.states);
  const folded = foldedStates(run.machine, new Set(stack.states.map((state) => state.name)));
  const total = stack.states.length;
  const first = stack.states[0];
  const last = stack.states.at(-1);
  const elapsed =
    first !== undefined && last !== undefined
      ? (last.exitedAt ?? last.enteredAt) - first.enteredAt
      : undefined;
  const svg =
    total === 0
      ? '<p>No execution ran: the Trigger failed the job before starting one (see the message above).</p>'
      : renderMachineSvg(
          layoutMachine(run.machine, folded),
          path,
          detailId,
          `The Deploy state machine, the path of ${stack.stackName}`,
          `s${index}`,
        );
  return `<section class="stack" id="stack-${index}">${heading}
<dl class="facts">
<dt>Stack status</dt><dd>${escapeHtml(stack.stackStatus)}</dd>
<dt>Execution</dt><dd>${escapeHtml(stack.executionArn ?? '—')} (${escapeHtml(stack.executionStatus)}), ${plural(total, 'state')} in ${formatDuration(elapsed)}</dd>
${stack.verdict === undefined ? '' : `<dt>Verdict</dt><dd>${escapeHtml(stack.verdict)}: ${plural(stack.findings.length, 'blocking change')}, ${plural(stack.allowed.length, 'allowed change')}</dd>`}
</dl>
<div class="workflow">
<figure class="graph"><figcaption>The path this execution took through the Deploy state machine. <span class="legend"><span class="k succeeded">ran</span><span class="k failed">failed</span><span class="k not-taken">not taken</span> thick: the path · dashed: a Catch · ×N: ran N times · ↻N: retries · failure handlers not taken are folded into their edge (hover it) · <b>click a state</b> for its input, output and logs</span> <button type="button" class="zoom">Actual size</button></figcaption><div class="canvas">${svg}</div></figure>
<aside class="inspector" aria-live="polite"><button type="button" class="close" aria-label="Close">×</button><p class="hint">Click a state in the drawing (or a row of the list) to see its input, output, duration, retries and its function's log lines.</p>${stateDetails(run.machine, stack.states, detailId, folded)}</aside>
</div>
${pathTable(stack.states, detailId)}
${stack.outcome === undefined ? '' : `<details class="outcome"><summary>Outcome (the execution's result)</summary><pre>${json(stack.outcome)}</pre></details>`}
</section>`;
}

const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:90rem;padding:1rem 1.25rem 3rem;color:#1b1f24;overflow-wrap:break-word}
h1{font-size:1.45rem;margin:.2rem 0 .8rem}h2{font-size:1.15rem;margin:0 0 .6rem}h3{margin:.2rem 0;font-size:1rem}h4{margin:.6rem 0 .3rem;font-size:.9rem}h5{margin:.4rem 0 .2rem}
.verdict-first{border:1px solid #d0d7de;border-radius:.5rem;padding:1rem 1.25rem;margin-bottom:1.5rem;background:#fff}
.result{display:inline-block;margin:0;padding:.1rem .6rem;border-radius:.3rem;font-weight:700}
.ok{color:#116329}.ko{color:#a40e26}.skip{color:#57606a}
.result.ok,.tag.ok{background:#dafbe1}.result.ko,.tag.ko{background:#ffebe9}.tag.skip{background:#eaeef2}
.tag{font-size:.85rem;padding:.1rem .5rem;border-radius:.3rem;vertical-align:middle}
code{font-size:.9em;padding:.05rem .3rem;border-radius:.25rem;background:#f6f8fa}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem;margin:.5rem 0 1rem}dt{font-weight:600}dd{margin:0;min-width:0}
ul.stacks{margin:0;padding-left:1.1rem}.muted{color:#57606a}
pre{background:#f6f8fa;padding:.5rem;margin:0;overflow:auto;max-height:22rem;font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
pre.message{max-height:12rem}pre.error{background:#fff5f5;color:#a40e26}
table{border-collapse:collapse;width:100%}.scroll-x{overflow-x:auto}caption{text-align:left;font-weight:600;padding:.6rem 0 .3rem;font-size:1rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}
table.findings td.id{font-weight:600}table.findings td.reason{width:45%}table.findings td.short{white-space:nowrap}table.findings:not(.allowed) tbody tr{background:#fff5f5}
td.num{text-align:right;white-space:nowrap}tr.failed td{background:#fff5f5}tr[data-detail]{cursor:pointer}tr.selected td{outline:2px solid #0969da;outline-offset:-2px}
.stack{border-top:1px solid #d0d7de;padding-top:1rem;margin-top:1.5rem}.stack.not-attempted{color:#57606a}
.workflow{display:grid;grid-template-columns:minmax(0,1fr);gap:1rem;align-items:start}
figure.graph{margin:0;min-width:0}figcaption{font-size:.85rem;color:#57606a;margin-bottom:.3rem}
.legend .k{display:inline-block;padding:0 .4rem;margin-left:.3rem;border-radius:.2rem;border:1px solid}
.k.succeeded{background:#dafbe1;border-color:#1a7f37}.k.failed{background:#ffebe9;border-color:#cf222e}.k.not-taken{background:#f6f8fa;border-color:#afb8c1}
button.zoom{font:inherit;font-size:.8rem;margin-left:.5rem}
.canvas{overflow:auto;border:1px solid #d0d7de;border-radius:.4rem;background:#fff}
.canvas svg{display:block;max-width:100%;height:auto;margin:0 auto}.graph.actual .canvas svg{max-width:none}
svg text{font:12px system-ui,sans-serif;fill:#1b1f24}svg text.caption{font-size:10px;fill:#57606a}svg text.badge{font-size:11px;font-weight:700;fill:#0550ae}
svg text.edge-label{font-size:11px;font-weight:600;fill:#116329;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
.edge{fill:none;stroke:#c9d1d9;stroke-width:1.2}.edge.catch{stroke-dasharray:4 3}.edge.taken{stroke:#1a7f37;stroke-width:3}.edge.taken.to-failed{stroke:#cf222e}
marker path{fill:#c9d1d9}marker.arrow-taken path{fill:#1a7f37}marker.arrow-failed path{fill:#cf222e}
.state{cursor:pointer}.state rect{fill:#f6f8fa;stroke:#afb8c1;stroke-width:1}.state.not-taken text{fill:#8c959f}
.state.succeeded rect{fill:#dafbe1;stroke:#1a7f37;stroke-width:2}.state.failed rect{fill:#ffebe9;stroke:#cf222e;stroke-width:2.5}
.state.t-choice rect{stroke-dasharray:5 2}.state:focus{outline:none}.state:focus rect,.state.selected rect{stroke:#0969da;stroke-width:3}
.inspector{border:1px solid #d0d7de;border-radius:.4rem;padding:.6rem .8rem;background:#fff;overflow:auto}
.inspector{position:fixed;top:0;right:0;bottom:0;width:min(34rem,48vw);z-index:2;box-shadow:-4px 0 16px rgba(31,35,40,.18);display:none}.inspector.open{display:block}
button.close{float:right;font:inherit;font-size:1.2rem;line-height:1;border:0;background:none;cursor:pointer}
.inspector .hint{color:#57606a;margin:0}p.same{margin:.3rem 0;color:#57606a}button.link{font:inherit;border:0;padding:0;background:none;color:#0969da;text-decoration:underline;cursor:pointer}.run{border-top:1px solid #eaeef2;margin-top:.4rem}
details>summary{cursor:pointer;font-weight:600;margin:.3rem 0}details.path,details.outcome{margin-top:1rem}
@media (min-width:110rem){.workflow{grid-template-columns:minmax(0,1fr) 32rem}.inspector{display:block;position:sticky;top:.5rem;width:auto;max-height:calc(100vh - 1rem);box-shadow:none}button.close{display:none}}
`;

/** Click (or Enter) on a state shows its detail; the zoom button switches the drawing to its actual size. */
const SCRIPT = `
(() => {
  function show(id) {
    const detail = document.getElementById(id);
    if (!detail) return;
    const panel = detail.parentElement;
    for (const other of panel.querySelectorAll('.detail')) other.hidden = other !== detail;
    const hint = panel.querySelector('.hint');
    if (hint) hint.hidden = true;
    panel.classList.add('open');
    const section = panel.closest('section');
    for (const el of section.querySelectorAll('.selected')) el.classList.remove('selected');
    for (const el of section.querySelectorAll('[data-detail="' + id + '"]')) el.classList.add('selected');
  }
  document.addEventListener('click', (event) => {
    const close = event.target.closest('button.close');
    if (close) {
      close.parentElement.classList.remove('open');
      return;
    }
    const zoom = event.target.closest('button.zoom');
    if (zoom) {
      const figure = zoom.closest('figure');
      figure.classList.toggle('actual');
      zoom.textContent = figure.classList.contains('actual') ? 'Fit to width' : 'Actual size';
      return;
    }
    const target = event.target.closest('[data-detail]');
    if (target) show(target.getAttribute('data-detail'));
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const target = event.target.closest && event.target.closest('[data-detail]');
    if (!target) return;
    event.preventDefault();
    show(target.getAttribute('data-detail'));
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') for (const open of document.querySelectorAll('.inspector.open')) open.classList.remove('open');
  });
})();
`;

/**
 * The execution report: one self-contained HTML page (inline style and script, no request to
 * anything), verdict first, then one section per stack in deployment order with the state machine
 * drawn and the path this execution took on it.
 */
export function renderReport(run: SavedRun): string {
  const totalMs = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  const first = run.stacks[0];
  const title = `safe-deploy: ${run.stacks.map(stackLabel).join(', ')} — ${first !== undefined && run.stacks.length === 1 ? headlineOf(first, run.result) : run.result}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${verdictFirst(run)}
<main>
${run.stacks.map((stack, index) => stackSection(run, stack, index)).join('\n')}
</main>
<footer class="muted">
<dl class="facts">
<dt>Pipeline job</dt><dd>${escapeHtml(run.jobId)}, ${plural(run.triggerInvocations, 'Trigger invocation')}</dd>
<dt>Source</dt><dd>${escapeHtml(run.source)}</dd>
<dt>Input file</dt><dd>${escapeHtml(run.inputFile)}</dd>
<dt>Started</dt><dd>${escapeHtml(run.startedAt)} (${formatDuration(totalMs)} in all)</dd>
</dl>
<p>Written by safe-deploy (cfn-safe-deploy local emulator). Values of fields that look like secrets are masked.</p>
</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
