import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GetTemplateCommand, ListChangeSetsCommand } from '@aws-sdk/client-cloudformation';
import { startEmulator, stopEmulator } from './emulator.js';
import { formatMs, progressPrinter } from './progress.js';
import { renderReport } from './report.js';
import { savedRunOf } from './run-file.js';
import { type DeployRecord, LocalCloud } from './session.js';

const require = createRequire(import.meta.url);

export const DEMO_ENVIRONMENT = 'demo';
export const DEMO_STACK = 'sample-lambda-app';
export const DEMO_STACK_NAME = `${DEMO_ENVIRONMENT}-${DEMO_STACK}`;
const TEMPLATE_FILE = 'SampleLambdaApp.template.json';

export type SampleVariant = 'base' | 'safe-change' | 'replacing-change';

/** One step of the demo: a revision, how unsafe changes are handled, and how it must end. */
export interface DemoScenario {
  readonly title: string;
  readonly variant: SampleVariant;
  readonly onUnsafeChange: 'fail' | 'blue-green';
  readonly expected: { readonly result: 'Succeeded' | 'Failed'; readonly outcome: string };
}

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    title: 'First deploy',
    variant: 'base',
    onUnsafeChange: 'fail',
    expected: { result: 'Succeeded', outcome: 'created' },
  },
  {
    title: 'Safe change',
    variant: 'safe-change',
    onUnsafeChange: 'fail',
    expected: { result: 'Succeeded', outcome: 'updated' },
  },
  {
    title: 'Replacing change',
    variant: 'replacing-change',
    onUnsafeChange: 'fail',
    expected: { result: 'Failed', outcome: 'refused' },
  },
  {
    title: 'Same version again',
    variant: 'safe-change',
    onUnsafeChange: 'fail',
    expected: { result: 'Succeeded', outcome: 'no-changes' },
  },
  {
    title: 'Replacing change, blue/green',
    variant: 'replacing-change',
    onUnsafeChange: 'blue-green',
    expected: { result: 'Succeeded', outcome: 'blue-green' },
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
  /** Where the synthesized definition and templates are cached. */
  readonly cacheDir: string;
  readonly write?: (text: string) => void;
  /** Print each state as it runs. @default true */
  readonly verbose?: boolean;
  /** Where each scenario's HTML report goes. @default <stateDir>/reports */
  readonly reportDir?: string;
}

function digestOfDir(dir: string): string {
  const hash = createHash('sha256');
  if (existsSync(dir)) {
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .sort()) {
      hash.update(file).update(readFileSync(join(dir, file)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The three revisions of the sample app, synthesized in one process (cached by the app's build). */
export async function synthesizeSampleApp(cacheDir: string): Promise<Record<SampleVariant, string>> {
  const dist = join(dirname(require.resolve('@cfn-safe-deploy/sample-app/package.json')), 'dist');
  const root = join(cacheDir, `sample-app-${digestOfDir(dist)}`);
  const variants: SampleVariant[] = ['base', 'safe-change', 'replacing-change'];
  const dirs = Object.fromEntries(variants.map((variant) => [variant, join(root, variant)])) as Record<
    SampleVariant,
    string
  >;
  if (variants.every((variant) => existsSync(join(dirs[variant], TEMPLATE_FILE)))) return dirs;
  const { createApp } = await import('@cfn-safe-deploy/sample-app');
  for (const variant of variants) {
    // No cdk-nag and no built-in validation: they do not change the template and cost seconds.
    const { app, stack } = createApp({
      variant,
      nag: false,
      appProps: { builtinCloudFormationValidation: false },
    });
    const template = app.synth().getStackByName(stack.stackName).template as unknown;
    mkdirSync(dirs[variant], { recursive: true });
    writeFileSync(join(dirs[variant], TEMPLATE_FILE), JSON.stringify(template, null, 1));
  }
  return dirs;
}

function inputFor(scenario: DemoScenario): Record<string, unknown> {
  return {
    environmentName: DEMO_ENVIRONMENT,
    stackName: DEMO_STACK,
    templatePath: TEMPLATE_FILE,
    parameters: { environmentName: DEMO_ENVIRONMENT },
    capabilities: ['CAPABILITY_IAM'],
    tags: { project: 'cfn-safe-deploy-demo' },
    onUnsafeChange: scenario.onUnsafeChange,
  };
}

/** The states that tell the story: Tasks and the terminal outcome, without Choice/Wait/Pass plumbing. */
export function storyOf(path: readonly string[], record: DeployRecord): string {
  const types = new Map(record.states.map((state) => [state.name, state.type]));
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
  try {
    line(
      `Emulator: moto at ${emulator.record.endpoint} (${formatMs(Date.now() - started)} to start and synthesize the sample app)`,
    );
    const cloud = await LocalCloud.open({
      motoEndpoint: emulator.record.endpoint,
      stateDir,
      cacheDir,
      continuationIntervalMs: 200,
    });
    const cfn = cloud.cloudFormation();
    const inputs = join(stateDir, 'inputs');
    mkdirSync(inputs, { recursive: true });
    const reports = options.reportDir ?? join(stateDir, 'reports');
    rmSync(reports, { recursive: true, force: true });
    mkdirSync(reports, { recursive: true });
    for (const [index, scenario] of DEMO_SCENARIOS.entries()) {
      line();
      line(
        `${index + 1}. ${scenario.title} (${scenario.variant}, onUnsafeChange ${scenario.onUnsafeChange}): expect ${scenario.expected.outcome}`,
      );
      const inputFile = join(inputs, `${index + 1}-${scenario.variant}-${scenario.onUnsafeChange}.json`);
      writeFileSync(inputFile, `${JSON.stringify(inputFor(scenario), null, 2)}\n`);
      const before = await cfn
        .send(new GetTemplateCommand({ StackName: DEMO_STACK_NAME }))
        .catch(() => undefined);
      const scenarioStart = Date.now();
      const record = await cloud.deploy({
        source: dirs[scenario.variant],
        input: inputFile,
        ...(options.verbose === false ? {} : { onProgress: progressPrinter(write, false, '   ', true) }),
      });
      const ms = Date.now() - scenarioStart;
      const problems: string[] = [];
      const outcome = record.outcome?.result ?? 'none';
      if (record.summary.result !== scenario.expected.result) problems.push(`ended ${record.summary.result}`);
      if (outcome !== scenario.expected.outcome) problems.push(`outcome ${outcome}`);
      const left = await cfn
        .send(new ListChangeSetsCommand({ StackName: DEMO_STACK_NAME }))
        .catch(() => undefined);
      const open = (left?.Summaries ?? []).filter(
        (summary) => summary.ExecutionStatus === 'AVAILABLE' || summary.Status === 'FAILED',
      );
      if (open.length > 0) problems.push(`${open.length} change set(s) left on ${DEMO_STACK_NAME}`);
      if (scenario.expected.outcome === 'refused' || scenario.expected.outcome === 'blue-green') {
        const after = await cfn
          .send(new GetTemplateCommand({ StackName: DEMO_STACK_NAME }))
          .catch(() => undefined);
        if (after?.TemplateBody !== before?.TemplateBody) problems.push(`${DEMO_STACK_NAME} was changed`);
      }
      if (scenario.expected.outcome === 'blue-green' && record.summary.stackStatus !== 'CREATE_COMPLETE') {
        problems.push(`blue/green stack ${record.summary.stackName} is ${record.summary.stackStatus}`);
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
  const header = ['#', 'Scenario', 'Expected', 'Got', 'Stack', 'Time', ''];
  const table = rows.map((row, index) => [
    String(index + 1),
    row.scenario.title,
    row.scenario.expected.outcome,
    row.record.outcome?.result ?? row.record.summary.result.toLowerCase(),
    `${row.record.summary.stackName} ${row.record.summary.stackStatus}`,
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
    if (row !== undefined) line(`      path: ${storyOf(row.record.summary.path, row.record)}`);
  }
  const ok = rows.length === DEMO_SCENARIOS.length && rows.every((row) => row.ok);
  line();
  line(
    `${ok ? 'All 5 scenarios ended as expected' : 'Some scenarios did not end as expected'} in ${formatMs(ms)}. Function logs: ${join(stateDir, 'logs', 'functions.log')}`,
  );
  line(`Reports (one HTML page per scenario): ${options.reportDir ?? join(stateDir, 'reports')}`);
  return { ok, rows, ms };
}
