import { rmSync } from 'node:fs';
import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandInput,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SAFE, UNSAFE } from '../src/index.js';
import { writeFixtures } from './fixtures.js';
import { ARN, add, nestedStack, remove, runCli } from './helpers.js';

let f: ReturnType<typeof writeFixtures>;
beforeAll(() => {
  f = writeFixtures();
});
afterAll(() => rmSync(f.dir, { recursive: true, force: true }));

const run = runCli;

describe('changeset-policy evaluate FILE...', () => {
  it('exit 0 and the safe verdict for a safe change set (text)', async () => {
    const { code, stdout, stderr } = await run('evaluate', f.safe);
    expect(code).toBe(0);
    expect(stdout).toBe(`${SAFE}: no unsafe change\n`);
    expect(stderr).toBe('');
  });

  it('exit 1 and a table naming the change (text)', async () => {
    const { code, stdout } = await run('evaluate', f.unsafe);
    expect(code).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`${UNSAFE}: 1 unsafe change`);
    expect(lines[3]).toMatch(
      /^STACK PATH\s+LOGICAL ID\s+TYPE\s+ACTION\s+REPLACEMENT\s+POLICY ACTION\s+REASON$/,
    );
    expect(lines[5]).toMatch(/^\(root\)\s+Bucket\s+AWS::S3::Bucket\s+Remove\s+-\s+Retain\s+Remove: /);
    expect(stdout).not.toContain('\u001b[');
  });

  it('JSON output has exactly verdict, findings and allowed', async () => {
    const { code, stdout } = await run('evaluate', '--format', 'json', '--policy', f.retainPolicy, f.unsafe);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual(['verdict', 'findings', 'allowed']);
    expect(report.verdict).toBe(SAFE);
    expect(report.allowed).toEqual([
      {
        stackPath: [],
        logicalResourceId: 'Bucket',
        resourceType: 'AWS::S3::Bucket',
        action: 'Remove',
        replacement: null,
        policyAction: 'Retain',
        reason: expect.any(String),
        rule: 'no-removal',
        allowedBy: 'allowRetainedRemovals',
      },
    ]);
  });

  it('reads a YAML policy file too', async () => {
    expect((await run('evaluate', '--policy', f.retainPolicyYaml, f.unsafe)).code).toBe(0);
  });

  it('reads arrays of pages with nested change sets across files', async () => {
    const { code, stdout } = await run('evaluate', '--format', 'json', f.nestedArray, f.safe);
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings.map((x: { stackPath: string[] }) => x.stackPath)).toEqual([['Child']]);
  });

  it('a missing page makes it unsafe', async () => {
    const { code, stdout } = await run('evaluate', f.missingPage);
    expect(code).toBe(1);
    expect(stdout).toContain('page');
  });

  it('a FAILED change set with no changes is safe, with a note (stderr in JSON mode)', async () => {
    const text = await run('evaluate', f.failedNoChanges);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("didn't contain changes");
    const json = await run('evaluate', '--format', 'json', f.failedNoChanges);
    expect(JSON.parse(json.stdout).verdict).toBe(SAFE);
    expect(json.stderr).toContain('note: ');
  });

  it.each([
    ['a bad JSON file', () => ['evaluate', f.badJson], /change-set file .*bad\.json: not valid JSON/],
    [
      'a nonexistent file',
      () => ['evaluate', f.missing],
      /change-set file .*does-not-exist\.json: cannot read it \(no such file\)/,
    ],
    [
      'a file that is not a DescribeChangeSet',
      () => ['evaluate', f.notChangeSet],
      /template\.json: is not a DescribeChangeSet result: it has no Changes list/,
    ],
    [
      'a bad field',
      () => ['evaluate', f.badField],
      /bad-field\.json: Changes\[0\]\.ResourceChange\.Action must be a string/,
    ],
    [
      'an invalid policy',
      () => ['evaluate', '--policy', f.badPolicy, f.safe],
      /policy file .*bad-policy\.json: invalid policy: allow\[0\]\.actions\[0\] is "Delete"/,
    ],
    [
      'a missing policy file',
      () => ['evaluate', '--policy', f.missing, f.safe],
      /policy file .*: cannot read it/,
    ],
    ['no FILE', () => ['evaluate'], /no FILE given/],
    ['an unknown option', () => ['evaluate', '--frobnicate', f.safe], /unknown option '--frobnicate'/],
    ['a bad --format', () => ['evaluate', '--format', 'xml', f.safe], /argument 'xml' is invalid/],
    ['an unknown command', () => ['evalute', f.safe], /unknown command 'evalute'/],
    ['no command', () => [], /Usage: changeset-policy/],
    [
      'files and --change-set-name together',
      () => ['evaluate', '--change-set-name', ARN('x'), f.safe],
      /either FILEs or --change-set-name/,
    ],
    [
      '--stack-name without --change-set-name',
      () => ['evaluate', '--stack-name', 's', f.safe],
      /--stack-name needs --change-set-name/,
    ],
    [
      'a change set name that is not an ARN, without --stack-name',
      () => ['evaluate', '--change-set-name', 'cs-1'],
      /give --stack-name too/,
    ],
  ])('exit 2 for %s: message on stderr, nothing on stdout', async (_name, argv, message) => {
    const { code, stdout, stderr } = await run(...argv());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('--help and --version exit 0 on stdout', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('evaluate');
    expect(help.stderr).toBe('');
    const subHelp = await run('evaluate', '--help');
    expect(subHelp.code).toBe(0);
    expect(subHelp.stdout).toContain('--change-set-name');
    const version = await run('--version');
    expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});

describe('changeset-policy evaluate --change-set-name (live)', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => cfn.reset());

  it('reads the change set and its nested change sets through the SDK', async () => {
    cfn.on(DescribeChangeSetCommand).callsFake(async (input: DescribeChangeSetCommandInput) => {
      if (input.ChangeSetName === ARN('root')) {
        return {
          ChangeSetId: ARN('root'),
          StackName: 'prod-app',
          Status: 'CREATE_COMPLETE',
          Changes: [add('A'), nestedStack('Child', ARN('child'))],
        };
      }
      return { ChangeSetId: ARN('child'), Status: 'CREATE_COMPLETE', Changes: [remove('Gone')] };
    });
    const { code, stdout } = await run(
      'evaluate',
      '--stack-name',
      'prod-app',
      '--change-set-name',
      ARN('root'),
      '--format',
      'json',
    );
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings[0]).toMatchObject({ stackPath: ['Child'], logicalResourceId: 'Gone' });
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(2);
  });

  it('an AWS error → exit 2 with the message, nothing on stdout', async () => {
    cfn
      .on(DescribeChangeSetCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    const { code, stdout, stderr } = await run('evaluate', '--change-set-name', ARN('root'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `DescribeChangeSet of ${ARN('root')} (page 1) failed: AccessDenied: User is not authorized`,
    );
  });
});

describe('changeset-policy diff OLD NEW', () => {
  it('exit 0 for an in-place update, 1 for a removal', async () => {
    const safe = await run('diff', f.oldTemplate, f.newTemplateSafe);
    expect(safe.code).toBe(0);
    expect(safe.stdout).toContain(SAFE);
    const unsafe = await run('diff', '--format', 'json', f.oldTemplate, f.newTemplateUnsafe);
    expect(unsafe.code).toBe(1);
    expect(JSON.parse(unsafe.stdout).findings).toEqual([
      expect.objectContaining({ logicalResourceId: 'Table', action: 'Remove', policyAction: 'Delete' }),
    ]);
  }, 60_000);

  it('exit 2 naming the template that cannot be read or parsed', async () => {
    const missing = await run('diff', f.oldTemplate, f.missing);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain('does-not-exist.json');
    const broken = await run('diff', f.badJson, f.oldTemplate);
    expect(broken).toMatchObject({ code: 2, stdout: '' });
    expect(broken.stderr).toMatch(/template .*bad\.json: not valid JSON/);
    expect((await run('diff', f.oldTemplate)).code).toBe(2);
  });
});
