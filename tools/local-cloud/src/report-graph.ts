import { Graph, layout } from '@dagrejs/dagre';
import type { Machine, SavedStateRun } from './run-file.js';
import { escapeXml as escapeHtml } from './xml.js';

/** How an edge leaves its state: a Next/End-less transition, a Choice rule, a Choice default, a Catch. */
export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface MachineEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  /** The condition (Choice rule) or the errors caught, in words. */
  readonly label: string;
  /** The folded states this edge passes through (see layoutMachine). */
  readonly via?: readonly string[];
}

export interface PlacedNode {
  readonly name: string;
  readonly type: string;
  /** Top-left corner and size. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly lines: readonly string[];
  /** e.g. "Task · retry ×4 · load-template" */
  readonly caption: string;
}

export interface PlacedEdge extends MachineEdge {
  readonly points: ReadonlyArray<{ readonly x: number; readonly y: number }>;
  readonly labelAt?: { readonly x: number; readonly y: number };
  readonly shortLabel: string;
}

export interface MachineLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

/** Every transition of the machine: Next, each Choice rule, the Choice's Default, each Catch. */
export function edgesOf(machine: Machine): MachineEdge[] {
  const edges: MachineEdge[] = [];
  for (const [from, state] of Object.entries(machine.states)) {
    if (state.next !== undefined) edges.push({ from, to: state.next, kind: 'next', label: '' });
    for (const choice of state.choices ?? [])
      edges.push({ from, to: choice.next, kind: 'choice', label: choice.when });
    if (state.default !== undefined)
      edges.push({ from, to: state.default, kind: 'default', label: 'otherwise' });
    for (const catcher of state.catches ?? [])
      edges.push({ from, to: catcher.next, kind: 'catch', label: `catch ${catcher.errors.join(', ')}` });
  }
  return edges;
}

const CHAR_WIDTH = 6.6; // 12px system-ui, on average
const LINE_HEIGHT = 15;
const MAX_LINE = 14;
const LABEL_MAX = 26;

/** Words wrapped to lines of at most `max` characters (a longer word stays whole). */
export function wrapWords(text: string, max: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= max)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.length === 0 ? [''] : lines;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function captionOf(machine: Machine, name: string): string {
  const state = machine.states[name];
  if (state === undefined) return '';
  const parts = [state.type];
  const attempts = Math.max(0, ...(state.retries ?? []).map((retry) => retry.maxAttempts));
  if (attempts > 0) parts.push(`retry ×${attempts}`);
  return parts.join(' · ');
}

/**
 * The states the drawing folds into an edge: a Pass state with one way in and one way out that
 * did not run (the many "… Errored" and "… Failed" handlers of the failure branches). Drawn, the
 * 67-state machine is 3,600 px wide; folded, about 1,200 px for a typical path.
 */
export function foldedStates(machine: Machine, ran: ReadonlySet<string>): Set<string> {
  const incoming = new Map<string, number>();
  for (const edge of edgesOf(machine)) incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  return new Set(
    Object.entries(machine.states)
      .filter(
        ([name, state]) =>
          state.type === 'Pass' && state.next !== undefined && incoming.get(name) === 1 && !ran.has(name),
      )
      .map(([name]) => name),
  );
}

/** The machine's edges with the folded states replaced by the edges through them. */
function visibleEdges(machine: Machine, folded: ReadonlySet<string>): MachineEdge[] {
  const visible: MachineEdge[] = [];
  for (const edge of edgesOf(machine)) {
    if (folded.has(edge.from) || machine.states[edge.to] === undefined) continue;
    const via: string[] = [];
    let to = edge.to;
    while (folded.has(to) && !via.includes(to)) {
      via.push(to);
      to = machine.states[to]?.next ?? to;
    }
    visible.push(via.length === 0 ? edge : { ...edge, to, via });
  }
  return visible;
}

/**
 * Lays the machine out top to bottom with dagre (ranks, crossing reduction, edge routing), so
 * that the report ships a finished drawing: the page needs no layout code of its own. States in
 * `folded` are not drawn: their edge goes straight to where they lead (and says so on hover).
 */
export function layoutMachine(machine: Machine, folded: ReadonlySet<string> = new Set()): MachineLayout {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 16, edgesep: 8, ranksep: 30, marginx: 8, marginy: 8 });
  const names = Object.keys(machine.states).filter((name) => !folded.has(name));
  const shapes = new Map<string, { lines: string[]; caption: string; width: number; height: number }>();
  for (const name of names) {
    const lines = wrapWords(name, MAX_LINE);
    const caption = captionOf(machine, name);
    const longest = Math.max(caption.length * 0.9, ...lines.map((line) => line.length));
    const shape = {
      lines,
      caption,
      width: Math.ceil(longest * CHAR_WIDTH + 20),
      height: lines.length * LINE_HEIGHT + 22,
    };
    shapes.set(name, shape);
    graph.setNode(name, { width: shape.width, height: shape.height });
  }
  const edges = visibleEdges(machine, folded);
  edges.forEach((edge, index) => {
    graph.setEdge(edge.from, edge.to, {}, `e${index}`);
  });
  layout(graph);
  const placed: PlacedNode[] = names.map((name) => {
    const node = graph.node(name) as { x: number; y: number; width: number; height: number };
    const shape = shapes.get(name) ?? { lines: [name], caption: '', width: 0, height: 0 };
    return {
      name,
      type: machine.states[name]?.type ?? '',
      x: node.x - node.width / 2,
      y: node.y - node.height / 2,
      width: node.width,
      height: node.height,
      lines: shape.lines,
      caption: shape.caption,
    };
  });
  const placedEdges: PlacedEdge[] = edges.map((edge, index) => {
    const { points = [] } = graph.edge({ v: edge.from, w: edge.to, name: `e${index}` }) as {
      points?: Array<{ x: number; y: number }>;
    };
    // The label sits by the edge's middle bend (dagre routes each edge through one point per rank).
    const middle = points[Math.floor(points.length / 2)];
    return {
      ...edge,
      points,
      ...(middle === undefined || edge.label === '' ? {} : { labelAt: { x: middle.x, y: middle.y } }),
      shortLabel: shorten(edge.label, LABEL_MAX),
    };
  });
  const size = graph.graph() as { width?: number; height?: number };
  return {
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes: placed,
    edges: placedEdges,
  };
}

// ------------------------------------------------------------------------------------------------
// One execution on the drawing

export type NodeStatus = 'succeeded' | 'failed' | 'not-taken';

export interface PathView {
  /** How each state that ran ended, and how often it ran. */
  readonly status: ReadonlyMap<string, NodeStatus>;
  readonly runs: ReadonlyMap<string, number>;
  readonly retries: ReadonlyMap<string, number>;
  /** `from\u0000to` of each transition taken. */
  readonly taken: ReadonlySet<string>;
}

const pairKey = (from: string, to: string) => `${from}\u0000${to}`;

/** What the execution did on the machine: each state's status and run count, the transitions taken. */
export function pathOf(
  states: readonly Pick<SavedStateRun, 'name' | 'type' | 'error' | 'retries'>[],
): PathView {
  const status = new Map<string, NodeStatus>();
  const runs = new Map<string, number>();
  const retries = new Map<string, number>();
  const taken = new Set<string>();
  states.forEach((state, index) => {
    runs.set(state.name, (runs.get(state.name) ?? 0) + 1);
    retries.set(state.name, (retries.get(state.name) ?? 0) + state.retries);
    const failed = state.error !== undefined || state.type === 'Fail';
    if (failed || !status.has(state.name)) status.set(state.name, failed ? 'failed' : 'succeeded');
    const previous = states[index - 1];
    if (previous !== undefined) taken.add(pairKey(previous.name, state.name));
  });
  return { status, runs, retries, taken };
}

function pathData(points: PlacedEdge['points']): string {
  return points
    .map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)} ${point.y.toFixed(1)}`)
    .join(' ');
}

/**
 * The machine as SVG with one execution on it: states that ran green, the failed one red, the rest
 * grey; the transitions taken drawn thick; "×N" on a state that ran N times, "↻N" on retried ones.
 * Each state is a focusable button whose `data-detail` names the element that shows its runs.
 */
export function renderMachineSvg(
  drawing: MachineLayout,
  path: PathView,
  detailId: (stateName: string) => string,
  title: string,
  /** Makes the arrow markers' ids unique in a page with several drawings. */
  idPrefix: string,
): string {
  const parts: string[] = [];
  const edgeClass = (edge: PlacedEdge) => {
    if (!path.taken.has(pairKey(edge.from, edge.to))) return `edge ${edge.kind}`;
    return `edge ${edge.kind} taken${path.status.get(edge.to) === 'failed' ? ' to-failed' : ''}`;
  };
  // Not-taken edges first, so that the taken path is drawn over them.
  const ordered = [...drawing.edges].sort(
    (a, b) => Number(path.taken.has(pairKey(a.from, a.to))) - Number(path.taken.has(pairKey(b.from, b.to))),
  );
  for (const edge of ordered) {
    const cls = edgeClass(edge);
    const marker = cls.includes('to-failed')
      ? 'arrow-failed'
      : cls.includes('taken')
        ? 'arrow-taken'
        : 'arrow';
    const through = edge.via === undefined ? '' : ` (through ${edge.via.join(' → ')}, not drawn)`;
    const title = `${edge.from} → ${edge.to}${edge.label === '' ? '' : `: ${edge.label}`}${through}`;
    parts.push(
      `<path class="${cls}" d="${pathData(edge.points)}" marker-end="url(#${idPrefix}-${marker})"><title>${escapeHtml(title)}</title></path>`,
    );
    // A taken Choice rule says why the path went that way; the others say it on hover.
    if (edge.labelAt !== undefined && edge.kind === 'choice' && cls.includes('taken')) {
      parts.push(
        `<text class="edge-label" x="${edge.labelAt.x.toFixed(1)}" y="${(edge.labelAt.y + 4).toFixed(1)}" text-anchor="middle">${escapeHtml(edge.shortLabel)}</text>`,
      );
    }
  }
  for (const node of drawing.nodes) {
    const status = path.status.get(node.name) ?? 'not-taken';
    const runs = path.runs.get(node.name) ?? 0;
    const retried = path.retries.get(node.name) ?? 0;
    const badges = [runs > 1 ? `×${runs}` : '', retried > 0 ? `↻${retried}` : ''].filter(Boolean).join(' ');
    const rx = node.type === 'Choice' ? 14 : node.type === 'Task' ? 4 : 9;
    const cx = node.x + node.width / 2;
    const said =
      status === 'not-taken'
        ? 'not taken'
        : `${status}${runs > 1 ? `, ran ${runs} times` : ''}${retried > 0 ? `, ${retried} retries` : ''}`;
    parts.push(
      `<g class="state ${status} t-${node.type.toLowerCase()}" data-state="${escapeHtml(node.name)}" data-detail="${escapeHtml(detailId(node.name))}" tabindex="0" role="button" aria-label="${escapeHtml(`${node.name}: ${said}`)}"><title>${escapeHtml(`${node.name} (${node.type}): ${said}`)}</title>`,
      `<rect x="${node.x.toFixed(1)}" y="${node.y.toFixed(1)}" width="${node.width}" height="${node.height}" rx="${rx}"/>`,
      ...node.lines.map(
        (line, index) =>
          `<text class="name" x="${cx.toFixed(1)}" y="${(node.y + 15 + index * LINE_HEIGHT).toFixed(1)}" text-anchor="middle">${escapeHtml(line)}</text>`,
      ),
      `<text class="caption" x="${cx.toFixed(1)}" y="${(node.y + node.height - 7).toFixed(1)}" text-anchor="middle">${escapeHtml(node.caption)}</text>`,
      badges === ''
        ? ''
        : `<text class="badge" x="${(node.x + node.width - 3).toFixed(1)}" y="${(node.y - 3).toFixed(1)}" text-anchor="end">${escapeHtml(badges)}</text>`,
      '</g>',
    );
  }
  const marker = (id: string) =>
    `<marker id="${idPrefix}-${id}" class="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"/></marker>`;
  return `<svg class="machine" xmlns="http://www.w3.org/2000/svg" viewBox="0 -12 ${drawing.width} ${drawing.height + 12}" width="${drawing.width}" height="${drawing.height + 12}" role="group" aria-label="${escapeHtml(title)}"><defs>${marker('arrow')}${marker('arrow-taken')}${marker('arrow-failed')}</defs>${parts.join('')}</svg>`;
}
