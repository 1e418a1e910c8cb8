import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { ChangeSetInputError, ChangeSetReadError, PolicyError, TemplateError } from './errors.js';
import { evaluate } from './evaluate.js';
import { formatJson, formatText, terminalSafe } from './format.js';
import { expandedSize, MAX_EXPANDED_VALUES } from './guards.js';
import { parseChangeSetPages } from './input.js';
import { JsonTextError, parseJsonText } from './json.js';
import { DEFAULT_POLICY, parsePolicy } from './policy.js';
import type { ChangeSetPage, Evaluation, Policy } from './schemas.js';

/** Where the CLI writes; tests pass collectors, the bin passes process.stdout/stderr. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Colour the verdict (a terminal that wants colour). @default false */
  readonly color?: boolean;
}

export const EXIT_SAFE = 0;
export const EXIT_UNSAFE = 1;
export const EXIT_USAGE = 2;

/** A problem with what the user gave us: exit 2 with the message. */
class UsageError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

type Format = 'text' | 'json';

interface CommonOptions {
  readonly policy?: string;
  readonly format: Format;
}

interface EvaluateOptions extends CommonOptions {
  readonly stackName?: string;
  readonly changeSetName?: string;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new UsageError(`${what} ${path}: cannot read it (${why})`, { cause: error });
  }
}

function parseJson(text: string, path: string, what: string): unknown {
  try {
    return parseJsonText(text, `${what} ${path}`);
  } catch (error) {
    if (error instanceof JsonTextError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (path === undefined) return DEFAULT_POLICY;
  const text = await readText(path, 'policy file');
  let value: unknown;
  if (/\.ya?ml$/i.test(path)) {
    const { yamlParse } = await import('yaml-cfn');
    try {
      value = yamlParse(text);
    } catch (error) {
      throw new UsageError(
        `policy file ${path}: not valid YAML (${(error as Error).message.split('\n')[0]})`,
        {
          cause: error,
        },
      );
    }
  } else {
    value = parseJson(text, path, 'policy file');
  }
  if (expandedSize(value, MAX_EXPANDED_VALUES) > MAX_EXPANDED_VALUES) {
    throw new UsageError(
      `policy file ${path}: expands to more than ${MAX_EXPANDED_VALUES} values (YAML aliases); refusing to read it`,
    );
  }
  try {
    return parsePolicy(value);
  } catch (error) {
    if (error instanceof PolicyError)
      throw new UsageError(`policy file ${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

async function pagesFromFiles(files: readonly string[]): Promise<ChangeSetPage[]> {
  const pages: ChangeSetPage[] = [];
  for (const file of files) {
    const value = parseJson(await readText(file, 'change-set file'), file, 'change-set file');
    try {
      pages.push(...parseChangeSetPages(value, `change-set file ${file}`));
    } catch (error) {
      if (error instanceof ChangeSetInputError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  }
  return pages;
}

const ARN = /^arn:[^:]+:cloudformation:/;

async function pagesFromAws(options: EvaluateOptions): Promise<ChangeSetPage[]> {
  const changeSet = options.changeSetName as string;
  if (!ARN.test(changeSet) && !options.stackName) {
    throw new UsageError('--change-set-name is not an ARN: give --stack-name too');
  }
  const [{ CloudFormationClient }, { readChangeSet }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('./reader.js'),
  ]);
  // A call that never answers must not hang a CI job: give up on a connection after 10 s and on an
  // answer after 60 s (the SDK's retries still apply).
  const client = new CloudFormationClient({
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
  });
  try {
    return await readChangeSet(client, {
      changeSetArn: changeSet,
      ...(options.stackName ? { stackName: options.stackName } : {}),
    });
  } catch (error) {
    if (error instanceof ChangeSetReadError) throw new UsageError(error.message, { cause: error });
    throw new UsageError(`reading change set ${changeSet} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
}

function report(evaluation: Evaluation, format: Format, io: CliIo): number {
  if (format === 'json') {
    io.stdout(formatJson(evaluation));
    for (const note of evaluation.notes) io.stderr(`changeset-policy: note: ${terminalSafe(note)}\n`);
  } else {
    io.stdout(formatText(evaluation, { color: io.color ?? false }));
  }
  return evaluation.findings.length === 0 ? EXIT_SAFE : EXIT_UNSAFE;
}

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
}

/**
 * Runs the `changeset-policy` command line with `argv` (without `node` and the script) and
 * returns the exit code: 0 safe, 1 unsafe, 2 bad input or usage (message on stderr, nothing on stdout).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_USAGE;
  const program = new Command('changeset-policy')
    .description(
      'Decide whether a CloudFormation change set is safe to execute: no resource deleted or replaced unless the policy allows it.',
    )
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError(true);

  program
    .command('evaluate')
    .summary('judge change sets from files or read live from AWS')
    .description(
      'Judge change sets: FILEs holding DescribeChangeSet responses (one object or an array, pages and nested change sets included), or a live change set with --change-set-name.',
    )
    .argument('[files...]', 'JSON files, each one DescribeChangeSet response or an array of them')
    .option('--policy <file>', 'policy file (JSON, or YAML by extension)')
    .addOption(formatOption())
    .option('--stack-name <name>', 'stack of the live change set')
    .option('--change-set-name <arn>', 'read this change set (ARN) and its nested change sets from AWS')
    .action(async (files: string[], options: EvaluateOptions) => {
      const live = options.changeSetName !== undefined;
      if (live && files.length > 0) throw new UsageError('give either FILEs or --change-set-name, not both');
      if (!live && options.stackName !== undefined)
        throw new UsageError('--stack-name needs --change-set-name');
      if (!live && files.length === 0)
        throw new UsageError('no FILE given (or use --change-set-name to read from AWS)');
      const policy = await loadPolicy(options.policy);
      const pages = live ? await pagesFromAws(options) : await pagesFromFiles(files);
      exitCode = report(evaluate(pages, policy), options.format, io);
    });

  program
    .command('diff')
    .summary('judge a template update before any change set exists')
    .description(
      'Judge a template update before any change set exists (replacement semantics of @aws-cdk/cloudformation-diff).',
    )
    .argument('<old-template>', 'the deployed template (JSON or YAML)')
    .argument('<new-template>', 'the template to deploy (JSON or YAML)')
    .option('--policy <file>', 'policy file (JSON, or YAML by extension)')
    .addOption(formatOption())
    .action(async (oldPath: string, newPath: string, options: CommonOptions) => {
      const policy = await loadPolicy(options.policy);
      const { parseTemplate, diffTemplates } = await import('./template.js');
      try {
        const [oldTemplate, newTemplate] = await Promise.all([
          readText(oldPath, 'template').then((text) => parseTemplate(text, `template ${oldPath}`)),
          readText(newPath, 'template').then((text) => parseTemplate(text, `template ${newPath}`)),
        ]);
        exitCode = report(await diffTemplates(oldTemplate, newTemplate, policy), options.format, io);
      } catch (error) {
        if (error instanceof TemplateError) throw new UsageError(error.message, { cause: error });
        throw error;
      }
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already written its message (or the help / version) through configureOutput.
      return error.exitCode === 0 ? EXIT_SAFE : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      io.stderr(`changeset-policy: ${terminalSafe(error.message)}\n`);
      return EXIT_USAGE;
    }
    io.stderr(
      `changeset-policy: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT_USAGE;
  }
}
