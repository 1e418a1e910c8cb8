import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GetTemplateCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import type { Variant } from '@cfn-safe-deploy/sample-app';
import { startEmulator, stopEmulator } from './emulator.js';
import { formatMs, progressPrinter } from './progress.js';
import { renderReport } from './report.js';
import { savedRunOf } from './run-file.js';
import { type DeployRecord, LocalCloud } from './session.js';

/** The sample app's revisions (its `VARIANTS`; named here so that the demo loads the CDK only to synthesize). */
const VARIANTS = [
  'base',
  'code-change',
  'table-key-change',
  'metadata-only',
] as const satisfies readonly Variant[];

const require = createRequire(import.meta.url);

export const DEMO_ENVIRONMENT = 'demo';
/** The sample app's stacks as the demo deploys them, dependencies first. */
export const DEMO_STACKS = [`${DEMO_ENVIRONMENT}-sample-data`, `${DEMO_ENVIRONMENT}-sample-service`] as const;
const ASSEMBLY_DIR = 'cdk.out';

/** How a stack of the sample app must end in a scenario; `not-attempted`: its execution never started. */
export type StackExpectation = 'created' | 'updated' | 'no-changes' | 'refused' | 'not-attempted';

/** One step of the demo: a revision of the sample app, and how each of its stacks must end. */
export interface DemoScenario {
  readonly title: string;
  readonly variant: Variant;
  readonly expected: {
    readonly result: 'Succeeded' | 'Failed';
    /** Per stack of DEMO_STACKS, in order. */
    readonly stacks: readonly [StackExpectation, StackExpectation];
  };
}

/** The life of a real app (the sample app's LIFE_CYCLE), with what each step must do to each stack. */
export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    title: 'First deploy of both stacks',
    variant: 'base',
    expected: { result: 'Succeeded', stacks: ['created', 'created'] },
  },
  {
    title: 'New function code and a new resource',
    variant: 'code-change',
    expected: { result: 'Succeeded', stacks: ['no-changes', 'updated'] },
  },
  {
    title: 'Table key change (a replacement)',
    variant: 'table-key-change',
    expected: { result: 'Failed', stacks: ['refused', 'not-attempted'] },
  },
  {
    title: 'Same version again',
    variant: 'code-change',
    expected: { result: 'Succeeded', stacks: ['no-changes', 'no-changes'] },
  },
  {
    title: 'CDK metadata only',
    variant: 'metadata-only',
    expected: { result: 'Succeeded', stacks: ['updated', 'updated'] },
  },
];

export interface DemoRow {
  readonly scenario: DemoScenario;
  readonly record: DeployRecord;
  readonly ok: boolean;
  /** What did not match, in words. */
  readonly problems: string[];
  readonly ms: number;
  /** The scenario's HTML report. */
  readonly report: string;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly rows: DemoRow[];
  readonly ms: number;
}

export interface DemoOptions {
  /** The demo's own state directory (its emulator, inputs, templates and logs). */
  readonly stateDir: string;
  /** Where the synthesized definition and assemblies are cached. */
  readonly cacheDir: string;
  readonly write?: (text: string) => void;
  /** Print each state as it runs. @default true */
  readonly verbose?: boolean;
  /** Where each scenario's HTML report goes. @default <stateDir>/reports */
  readonly reportDir?: string;
}

function digestOfDirs(dirs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith('.js') || name.endsWith('.mjs'))
      .sort()) {
      hash.update(file).update(readFileSync(join(dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The source directory of each revision of the sample app: `cdk.out/` holds its cloud assembly
 * (both stacks, their asset manifests and the function's bundle as a file asset). Cached by the
 * app's and the function's builds.
 */
export async function synthesizeSampleApp(cacheDir: string): Promise<Record<Variant, string>> {
  const appDir = dirname(require.resolve('@cfn-safe-deploy/sample-app/package.json'));
  const functionDir = dirname(require.resolve('@cfn-safe-deploy/sample-function/package.json'));
  const digest = digestOfDirs([
    join(appDir, 'dist'),
    join(functionDir, 'dist'),
    join(functionDir, 'dist-next'),
  ]);
  const root = join(cacheDir, `sample-app-${digest}`);
  const dirs = Object.fromEntries(VARIANTS.map((variant) => [variant, join(root, variant)])) as Record<
    Variant,
    string
  >;
  if (VARIANTS.every((variant) => existsSync(join(dirs[variant], ASSEMBLY_DIR, 'manifest.json'))))
    return dirs;
  const { synthesizeSampleAssembly } = await import('@cfn-safe-deploy/sample-app');
  for (const variant of VARIANTS) {
    rmSync(dirs[variant], { recursive: true, force: true });
    await synthesizeSampleAssembly(variant, join(dirs[variant], ASSEMBLY_DIR), {
      environmentName: DEMO_ENVIRONMENT,
    });
  }
  return dirs;
}

function inputFor(): Record<string, unknown> {
  return {
    environmentName: DEMO_ENVIRONMENT,
    cloudAssembly: ASSEMBLY_DIR,
    capabilities: ['CAPABILITY_IAM'],
    tags: { project: 'cfn-safe-deploy-demo' },
  };
}

/**
 * The states that tell the story: Tasks and the terminal outcome, without Choice/Wait/Pass plumbing.
 * `definition` gives the types of states the record's last execution did not run (a cloud
 * assembly's other stacks).
 */
export function storyOf(
  path: readonly string[],
  record: DeployRecord,
  definition?: { readonly States: Readonly<Record<string, { readonly Type: string }>> },
): string {
  const types = new Map<string, string>([
    ...Object.entries(definition?.States ?? {}).map(([name, state]) => [name, state.Type] as const),
    ...record.states.map((state) => [state.name, state.type] as const),
  ]);
  const kept = path.filter((name) => {
    const type = types.get(name);
    return type === 'Task' || type === 'Succeed' || type === 'Fail';
  });
  return kept.filter((name, index) => kept[index - 1] !== name).join(' → ');
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/**
 * `pnpm start`: starts its own emulator, synthesizes the sample app, runs the five scenarios in
 * order, checks each from outside (stack, change sets, template), prints a table, stops the emulator.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const line = (text = '') => write(`${text}\n`);
  const started = Date.now();
  const { stateDir, cacheDir } = options;
  await stopEmulator(stateDir);
  rmSync(join(stateDir, 'logs'), { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const [emulator, dirs] = await Promise.all([startEmulator({ stateDir }), synthesizeSampleApp(cacheDir)]);
  const rows: DemoRow[] = [];
  let definition: Parameters<typeof storyOf>[2];
  try {
    line(
      `Emulator: moto at ${emulator.record.endpoint} (${formatMs(Date.now() - started)} to start and synthesize the sample app)`,
    );
    const cloud: LocalCloud = await LocalCloud.open({
      motoEndpoint: emulator.record.endpoint,
      stateDir,
      cacheDir,
      continuationIntervalMs: 200,
    });
    definition = cloud.definition.definition;
    const cfn = cloud.cloudFormation();
    const inputs = join(stateDir, 'inputs');
    mkdirSync(inputs, { recursive: true });
    const reports = options.reportDir ?? join(stateDir, 'reports');
    rmSync(reports, { recursive: true, force: true });
    mkdirSync(reports, { recursive: true });
    for (const [index, scenario] of DEMO_SCENARIOS.entries()) {
      line();
      line(
        `${index + 1}. ${scenario.title} (${scenario.variant}): expect ${DEMO_STACKS.map((stack, at) => `${stack} ${scenario.expected.stacks[at]}`).join(', ')}`,
      );
      const inputFile = join(inputs, `${index + 1}-${scenario.variant}.json`);
      writeFileSync(inputFile, `${JSON.stringify(inputFor(), null, 2)}\n`);
      const before = await Promise.all(
        DEMO_STACKS.map((stack) =>
          cfn
            .send(new GetTemplateCommand({ StackName: stack }))
            .then((answer) => answer.TemplateBody)
            .catch(() => undefined),
        ),
      );
      const scenarioStart = Date.now();
      const record = await cloud.deploy({
        source: dirs[scenario.variant],
        input: inputFile,
        ...(options.verbose === false ? {} : { onProgress: progressPrinter(write, false, '   ', true) }),
      });
      const ms = Date.now() - scenarioStart;
      const problems: string[] = [];
      if (record.summary.result !== scenario.expected.result) problems.push(`ended ${record.summary.result}`);
      const attempted = record.summary.stacks ?? [];
      for (const [at, stack] of DEMO_STACKS.entries()) {
        const expected = scenario.expected.stacks[at];
        const got = attempted.find((each) => each.stackName === stack);
        const outcome = got === undefined ? 'not-attempted' : (got.outcome ?? 'none');
        if (outcome !== expected) problems.push(`${stack} ${outcome}`);
        const left = await cfn.send(new ListChangeSetsCommand({ StackName: stack })).catch(() => undefined);
        const open = (left?.Summaries ?? []).filter(
          (summary) => summary.ExecutionStatus === 'AVAILABLE' || summary.Status === 'FAILED',
        );
        if (open.length > 0) problems.push(`${open.length} change set(s) left on ${stack}`);
        if (expected === 'refused' || expected === 'not-attempted' || expected === 'no-changes') {
          const after = await cfn
            .send(new GetTemplateCommand({ StackName: stack }))
            .then((answer) => answer.TemplateBody)
            .catch(() => undefined);
          if (after !== before[at]) problems.push(`${stack} was changed`);
        }
      }
      const ok = problems.length === 0;
      // Named after the scenario as the summary shows it: 3-replacing-change.html, 5-replacing-change-blue-green.html.
      const slug = scenario.title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      const report = join(reports, `${index + 1}-${slug}.html`);
      writeFileSync(report, renderReport(savedRunOf(record, cloud.definition)));
      rows.push({ scenario, record, ok, problems, ms, report });
      line(
        `   ${ok ? '✓' : '✗'} ${record.summary.result}: ${record.summary.message.split('\n')[0]}${ok ? '' : ` — NOT AS EXPECTED: ${problems.join('; ')}`}`,
      );
      line(`   report: ${report}`);
    }
    await cloud.close();
  } finally {
    await stopEmulator(stateDir);
  }
  const ms = Date.now() - started;
  line();
  line('Summary');
  const header = ['#', 'Scenario', 'Expected', 'Got', 'Time', ''];
  const table = rows.map((row, index) => [
    String(index + 1),
    row.scenario.title,
    row.scenario.expected.stacks.join(', '),
    DEMO_STACKS.map(
      (stack) =>
        row.record.summary.stacks?.find((each) => each.stackName === stack)?.outcome ?? 'not-attempted',
    ).join(', '),
    formatMs(row.ms),
    row.ok ? '✓' : '✗',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...table.map((cells) => (cells[column] ?? '').length)),
  );
  const render = (cells: string[]) =>
    `  ${cells.map((cell, column) => pad(cell, widths[column] ?? 0)).join('  ')}`.trimEnd();
  line(render(header));
  line(render(widths.map((width) => '-'.repeat(width))));
  for (const [index, cells] of table.entries()) {
    line(render(cells));
    const row = rows[index];
    for (const stack of row?.record.summary.stacks ?? []) {
      if (row !== undefined) line(`      ${stack.stackName}: ${storyOf(stack.path, row.record, definition)}`);
    }
  }
  const ok = rows.length === DEMO_SCENARIOS.length && rows.every((row) => row.ok);
  line();
  line(
    `${ok ? `All ${DEMO_SCENARIOS.length} scenarios ended as expected` : 'Some scenarios did not end as expected'} in ${formatMs(ms)}. Function logs: ${join(stateDir, 'logs', 'functions.log')}`,
  );
  line(`Reports (one HTML page per scenario): ${options.reportDir ?? join(stateDir, 'reports')}`);
  return { ok, rows, ms };
}
