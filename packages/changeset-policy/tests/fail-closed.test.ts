import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChangeSetPage,
  ChangeSetReadError,
  changesFromTemplates,
  diffTemplates,
  evaluate,
  formatText,
  parsePolicy,
  parseTemplate,
  readChangeSet,
  SAFE,
  UNSAFE,
} from '../src/index.js';
import { findDuplicateKey } from '../src/json.js';
import { ARN, add, modify, nestedStack, page, remove, runCli } from './helpers.js';

// One describe block per class of false "safe" or runaway input found by attacking the tool.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'changeset-policy-fail-closed-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// @aws-cdk/cloudformation-diff and its resource specification load on first use: once, outside the tests.
beforeAll(async () => {
  await changesFromTemplates(
    { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 1 } } } },
    { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 2 } } } },
  );
}, 120_000);

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const cli = runCli;

const rules = (pages: ChangeSetPage[], policy = parsePolicy({ version: 1 })) =>
  evaluate(pages, policy).findings.map((f) => [f.stackPath.join('/'), f.logicalResourceId, f.rule]);

describe('1. a change set whose changes are not computed yet', () => {
  it.each(['CREATE_PENDING', 'CREATE_IN_PROGRESS'])(
    '%s with no changes is unsafe, naming the change set and status',
    (status) => {
      const result = evaluate([page('cs', [], { Status: status })]);
      expect(result.verdict).toBe(UNSAFE);
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]).toMatchObject({
        rule: 'change-set-complete',
        logicalResourceId: 'stack-cs',
      });
      expect(result.findings[0]?.reason).toContain(
        `cs (${ARN('cs')}) of stack stack-cs is in status ${status}`,
      );
    },
  );

  it('a nested change set still in progress makes the tree unsafe, at the nested stack', () => {
    expect(
      rules([
        page('root', [nestedStack('Child', ARN('child'))]),
        page('child', [], { Status: 'CREATE_IN_PROGRESS' }),
      ]),
    ).toEqual([['', 'Child', 'change-set-complete']]);
  });

  it('FAILED for another reason than "no changes", another status, or none at all: unsafe', () => {
    for (const extra of [
      { Status: 'FAILED', StatusReason: 'Template format error: Unresolved resource dependencies [Missing]' },
      { Status: 'DELETE_COMPLETE' },
      { Status: undefined },
      { Status: null },
    ]) {
      expect(rules([page('cs', [add('A')], extra)])).toEqual([['', 'stack-cs', 'change-set-complete']]);
    }
  });

  it('one page in progress among complete ones is enough to refuse', () => {
    expect(
      rules([page('cs', [add('A')], { NextToken: 't1' }), page('cs', [], { Status: 'CREATE_IN_PROGRESS' })]),
    ).toEqual([['', 'stack-cs', 'change-set-complete']]);
  });

  it("FAILED because nothing changed stays a safe no-op ('didn't' and 'No updates are to be performed')", () => {
    for (const reason of [
      "The submitted information didn't contain changes. Submit different information.",
      'No updates are to be performed.',
    ]) {
      expect(evaluate([page('cs', [], { Status: 'FAILED', StatusReason: reason })]).verdict).toBe(SAFE);
    }
  });

  it("the README's waiter with `|| true` cannot turn a change set in progress into exit 0", async () => {
    const { code, stdout } = await cli(
      'evaluate',
      file('waiting.json', page('cs', [], { Status: 'CREATE_IN_PROGRESS' })),
    );
    expect(code).toBe(1);
    expect(stdout).toContain('is in status CREATE_IN_PROGRESS');
  });
});

describe('2. a document without a Changes list', () => {
  it.each([
    ['missing', {}],
    ['null', { Changes: null }],
  ])('Changes %s → exit 2 naming the key', async (_, extra) => {
    const { Changes: _changes, ...rest } = page('cs', []);
    const { code, stdout, stderr } = await cli('evaluate', file('no-changes.json', { ...rest, ...extra }));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/no-changes\.json: is not a DescribeChangeSet result: it has no Changes list/);
  });

  it('in an array, the index is named', async () => {
    const { Changes: _changes, ...rest } = page('cs', []);
    const { code, stderr } = await cli('evaluate', file('array.json', [page('ok', []), rest]));
    expect(code).toBe(2);
    expect(stderr).toContain('[1] is not a DescribeChangeSet result');
  });
});

const template = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...extra,
  Resources: resources,
});
const queue = (extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::SQS::Queue',
  Properties: { VisibilityTimeout: 30 },
  ...extra,
});
/** A DynamoDB table whose name is `name` (TableName requires replacement). */
const tableNamed = (name: unknown) => ({
  Type: 'AWS::DynamoDB::Table',
  Properties: {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  },
});
const diffActions = async (older: Record<string, unknown>, newer: Record<string, unknown>) =>
  (await changesFromTemplates(older, newer)).map((c) => [
    c.ResourceChange?.LogicalResourceId,
    c.ResourceChange?.Action,
    c.ResourceChange?.Replacement,
  ]);

describe('3. diff and Conditions', () => {
  it('a resource that gains a false Condition is removed', async () => {
    const older = template({ Q: queue() });
    const newer = template(
      { Q: queue({ Condition: 'Never' }) },
      { Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } } },
    );
    expect(await diffActions(older, newer)).toEqual([['Q', 'Remove', undefined]]);
    const result = await diffTemplates(older, newer);
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule, f.policyAction])).toEqual([
      ['Q', 'no-removal', 'Delete'],
    ]);
  });

  it('a condition whose expression turns false removes the resource (through Fn::Not, Fn::And, Condition and Fn::FindInMap)', async () => {
    const conditions = (value: string) => ({
      Mappings: { Env: { prod: { Enabled: value } } },
      Conditions: {
        Enabled: { 'Fn::Equals': [{ 'Fn::FindInMap': ['Env', 'prod', 'Enabled'] }, 'yes'] },
        Keep: { 'Fn::And': [{ Condition: 'Enabled' }, { 'Fn::Not': [{ 'Fn::Equals': ['x', 'y'] }] }] },
      },
    });
    const older = template({ Q: queue({ Condition: 'Keep' }) }, conditions('yes'));
    const newer = template({ Q: queue({ Condition: 'Keep' }) }, conditions('no'));
    expect(await diffActions(older, newer)).toEqual([['Q', 'Remove', undefined]]);
  });

  it('a condition that depends on a parameter cannot be decided: Dynamic', async () => {
    const newer = template(
      { Q: queue({ Condition: 'IsProd' }) },
      {
        Parameters: { Env: { Type: 'String' } },
        Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      },
    );
    expect(await diffActions(template({ Q: queue() }), newer)).toEqual([['Q', 'Dynamic', undefined]]);
    expect((await diffTemplates(template({ Q: queue() }), newer)).findings.map((f) => f.rule)).toEqual([
      'no-dynamic',
    ]);
  });

  it("a parameter's changed Default behind an unchanged condition: Dynamic", async () => {
    const withDefault = (value: string) =>
      template(
        { Q: queue({ Condition: 'IsProd' }) },
        {
          Parameters: { Env: { Type: 'String', Default: value } },
          Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
        },
      );
    expect(await diffActions(withDefault('prod'), withDefault('dev'))).toEqual([['Q', 'Dynamic', undefined]]);
  });

  it('a condition that turns true adds the resource; an unchanged condition changes nothing', async () => {
    const withCondition = (a: string) =>
      template({ Q: queue({ Condition: 'C' }) }, { Conditions: { C: { 'Fn::Equals': [a, 'on'] } } });
    expect(await diffActions(withCondition('off'), withCondition('on'))).toEqual([['Q', 'Add', undefined]]);
    expect(await diffActions(withCondition('on'), withCondition('on'))).toEqual([]);
    expect(await diffActions(withCondition('off'), withCondition('off'))).toEqual([]);
  });
});

describe('4. diff and types the specification does not know', () => {
  it.each([
    'Custom::OrderSeeder',
    'MyOrg::Storage::Bucket::MODULE',
    'Acme::Db::Cluster',
    'AWS::Brandnew::Thing',
  ])('a property change on %s may replace the resource (Conditional)', async (type) => {
    const resource = (value: string) => ({ Type: type, Properties: { Setting: value } });
    expect(await diffActions(template({ R: resource('a') }), template({ R: resource('b') }))).toEqual([
      ['R', 'Modify', 'Conditional'],
    ]);
    const [change] = await changesFromTemplates(
      template({ R: resource('a') }),
      template({ R: resource('b') }),
    );
    expect(change?.ResourceChange?.Details?.[0]?.Target).toMatchObject({
      Name: 'Setting',
      RequiresRecreation: 'Conditionally',
    });
  });

  it('a property a known type does not have in the bundled specification is Conditional too', async () => {
    expect(
      await diffActions(
        template({ Q: queue() }),
        template({ Q: { ...queue(), Properties: { VisibilityTimeout: 30, NewerThanTheSpec: 1 } } }),
      ),
    ).toEqual([['Q', 'Modify', 'Conditional']]);
  });
});

describe('5. values resolved at deploy time', () => {
  it('a changed parameter Default that feeds a property requiring replacement is Conditional', async () => {
    const withDefault = (value: string) =>
      template(
        { T: tableNamed({ Ref: 'Name' }) },
        { Parameters: { Name: { Type: 'String', Default: value } } },
      );
    const [change] = await changesFromTemplates(withDefault('orders'), withDefault('orders-v2'));
    expect(change?.ResourceChange).toMatchObject({
      Action: 'Modify',
      Replacement: 'Conditional',
      PolicyAction: 'ReplaceAndDelete',
    });
    expect(change?.ResourceChange?.Details?.[0]).toMatchObject({
      Target: { Name: 'TableName', RequiresRecreation: 'Always' },
      Evaluation: 'Dynamic',
    });
    expect((await diffTemplates(withDefault('orders'), withDefault('orders-v2'))).verdict).toBe(UNSAFE);
  });

  it('through Fn::Sub too; a property updated in place stays Replacement False', async () => {
    const withDefault = (value: string) =>
      template(
        {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
          T: tableNamed({ 'Fn::Sub': '${Name}-table' }),
          Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: { Ref: 'Timeout' } } },
        },
        {
          Parameters: {
            Name: { Type: 'String', Default: value },
            Timeout: { Type: 'Number', Default: value === 'a' ? 30 : 60 },
          },
        },
      );
    expect(await diffActions(withDefault('a'), withDefault('b'))).toEqual([
      ['Q', 'Modify', 'False'],
      ['T', 'Modify', 'Conditional'],
    ]);
  });

  it('a Systems Manager parameter or a dynamic reference is read at every deployment: Conditional with no template change', async () => {
    const instance = (image: unknown) =>
      template(
        { Web: { Type: 'AWS::EC2::Instance', Properties: { ImageId: image, InstanceType: 't3.micro' } } },
        {
          Parameters: {
            Ami: {
              Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
              Default: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
            },
          },
        },
      );
    const ssm = instance({ Ref: 'Ami' });
    expect(await diffActions(ssm, ssm)).toEqual([['Web', 'Modify', 'Conditional']]);
    const resolve = instance('{{resolve:ssm:/golden/ami}}');
    expect(await diffActions(resolve, resolve)).toEqual([['Web', 'Modify', 'Conditional']]);
  });

  it('an unchanged template with plain parameters changes nothing (parameters are assumed to keep their values)', async () => {
    const same = template({ T: tableNamed({ Ref: 'Name' }) }, { Parameters: { Name: { Type: 'String' } } });
    expect(await diffActions(same, same)).toEqual([]);
  });
});

describe('6. a nested stack is allowed to go only by a rule that names AWS::CloudFormation::Stack', () => {
  const changes = [
    remove('Child', 'AWS::CloudFormation::Stack'),
    modify('Network', 'Conditional', 'AWS::CloudFormation::Stack', { ChangeSetId: ARN('net') }),
  ];
  const pages = [page('root', changes), page('net', [])];

  it.each([
    [{ logicalResourceId: '*', actions: ['Remove', 'ConditionalReplace'] }],
    [{ logicalResourceId: 'Child', actions: ['Remove'] }],
    [{ resourceType: '*', actions: ['Remove', 'ConditionalReplace'] }],
    [{ resourceType: 'AWS::CloudFormation::*', actions: ['Remove', 'ConditionalReplace'] }],
    [{ resourceType: 'AWS::*::Stack', actions: ['Remove', 'ConditionalReplace'] }],
  ])('%j does not allow it', (rule) => {
    const result = evaluate(
      pages,
      parsePolicy({ version: 1, allow: [rule], conditionalReplacement: 'safe' }),
    );
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule])).toEqual([
      ['Child', 'no-removal'],
      ['Network', 'no-conditional-replacement'],
    ]);
  });

  it('resourceType exactly AWS::CloudFormation::Stack does', () => {
    const policy = parsePolicy({
      version: 1,
      allow: [
        {
          resourceType: 'AWS::CloudFormation::Stack',
          logicalResourceId: '*',
          actions: ['Remove', 'ConditionalReplace'],
        },
      ],
    });
    const result = evaluate(pages, policy);
    expect(result.verdict).toBe(SAFE);
    expect(result.allowed.map((f) => [f.logicalResourceId, f.allowedBy])).toEqual([
      ['Child', 'allow[0]'],
      ['Network', 'allow[0]'],
    ]);
  });
});

describe('7. a key written twice in a JSON file', () => {
  it('a second allow in a policy → exit 2 naming the key', async () => {
    const policy = file('twice.json', '{"version": 1, "allow": [], "allow": [{"actions": ["Remove"]}]}');
    const { code, stdout, stderr } = await cli(
      'evaluate',
      '--policy',
      policy,
      file('cs.json', page('cs', [remove('B')])),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('the key "allow" is written twice in the object at (top level)');
  });

  it('a second Action in a change-set file → exit 2 naming where', async () => {
    const text = JSON.stringify(page('cs', [remove('B')])).replace(
      '"Action":"Remove"',
      '"Action":"Remove","Action":"Add"',
    );
    const { code, stderr } = await cli('evaluate', file('action-twice.json', text));
    expect(code).toBe(2);
    expect(stderr).toContain('the key "Action" is written twice in the object at Changes[0].ResourceChange');
  });

  it('findDuplicateKey: escapes, strings holding braces and quotes, nested objects and arrays', () => {
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')).toEqual({ key: 'a', path: '(top level)' });
    expect(findDuplicateKey('{"a": "{\\"a\\": 1, \\"a\\": 2}", "b": [{"x": 1}, {"x": 2}]}')).toBeUndefined();
    expect(findDuplicateKey('{"a": {"b": [1, {"c": 1, "c": 2}]}}')).toEqual({ key: 'c', path: 'a.b[1]' });
    expect(findDuplicateKey('[{"k": {}, "l": {"k": 1}}, {"k": 1}]')).toBeUndefined();
  });
});

describe('runaway input', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => cfn.reset());
  const client = () => new CloudFormationClient({ region: 'eu-west-1' });
  const output = (extra: Partial<DescribeChangeSetCommandOutput>): DescribeChangeSetCommandOutput => ({
    $metadata: {},
    ChangeSetId: ARN('cs'),
    Status: 'CREATE_COMPLETE',
    Changes: [],
    ...extra,
  });

  it('an endpoint that hands back the same NextToken again is stopped with a clear error', async () => {
    cfn.on(DescribeChangeSetCommand).resolves(output({ NextToken: 'again' }));
    await expect(readChangeSet(client(), { changeSetArn: ARN('cs') })).rejects.toThrow(
      /handed back the NextToken "again" a second time \(page 2\)/,
    );
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(2);
  });

  it('an endpoint that pages without end is stopped at the page cap', async () => {
    let n = 0;
    cfn.on(DescribeChangeSetCommand).callsFake(async () => {
      n += 1;
      return output({ NextToken: `t${n}` });
    });
    const error = await readChangeSet(client(), { changeSetArn: ARN('cs'), maxPagesPerChangeSet: 50 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChangeSetReadError);
    expect((error as Error).message).toMatch(/still handing back a NextToken after 50 pages/);
    expect(cfn.commandCalls(DescribeChangeSetCommand)).toHaveLength(50);
    n = 0;
    cfn.resetHistory();
    await expect(readChangeSet(client(), { changeSetArn: ARN('cs') })).rejects.toThrow(/after 1000 pages/);
  });

  it('a response that is not a DescribeChangeSet result is an error, never "no changes"', async () => {
    cfn
      .on(DescribeChangeSetCommand)
      .resolves({ $metadata: {}, ChangeSetId: ARN('cs'), Status: 'CREATE_COMPLETE' });
    await expect(readChangeSet(client(), { changeSetArn: ARN('cs') })).rejects.toThrow(
      /page 1\): is not a DescribeChangeSet result: it has no Changes list/,
    );
  });

  it('nesting 20,000 deep is judged, not a stack overflow', { timeout: 60_000 }, () => {
    const depth = 20_000;
    const pages = Array.from({ length: depth }, (_, i) =>
      page(`n${i}`, i < depth - 1 ? [nestedStack('Child', ARN(`n${i + 1}`))] : [remove('Deep')]),
    );
    const result = evaluate(pages);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.stackPath).toHaveLength(depth - 1);
    expect(result.findings[0]?.rule).toBe('no-removal');
  });

  it('a change set pointed at twice is judged once (no exponential walk of a diamond chain)', () => {
    const levels = 64;
    const pages = Array.from({ length: levels }, (_, i) =>
      page(
        `d${i}`,
        i < levels - 1
          ? [nestedStack('Left', ARN(`d${i + 1}`)), nestedStack('Right', ARN(`d${i + 1}`))]
          : [add('Leaf')],
      ),
    );
    const result = evaluate(pages);
    expect(result.findings.filter((f) => f.rule === 'single-parent')).toHaveLength(levels - 1);
  });

  it('a missing first or middle page leaves no trace: only a missing last page is found', () => {
    const middleMissing = [page('cs', [add('A')], { NextToken: 't1' }), page('cs', [add('C')])];
    expect(evaluate(middleMissing).verdict).toBe(SAFE);
    expect(rules([page('cs', [add('A')], { NextToken: 't1' })])).toEqual([
      ['', 'stack-cs', 'complete-pages'],
    ]);
  });

  it('two different pages in one place make the input contradict itself', () => {
    expect(rules([page('cs', [add('A')]), page('cs', [remove('B')])])).toEqual([
      ['', 'stack-cs', 'complete-pages'],
    ]);
    expect(rules([page('cs', [add('A')]), page('cs', [add('A')])])).toEqual([]);
  });
});

describe('terminal text', () => {
  it('control characters in logical ids and reasons cannot forge a verdict line or recolour the log', () => {
    const forged = `X\n${SAFE}: no unsafe change\u001b[2K\u202e`;
    const text = formatText(evaluate([page('cs', [remove(forged)], { StatusReason: 'fine\r\n' })]));
    expect(text.split('\n').filter((line) => line.startsWith(SAFE))).toEqual([]);
    const raw = [...text].filter((ch) => ch !== '\n' && (ch < ' ' || ch === '\u007f' || ch === '\u202e'));
    expect(raw).toEqual([]);
    expect(text).toContain(`X\\n${SAFE}: no unsafe change\\x1b[2K\\u202e`);
  });
});

describe('found by the attack on the first version of these fixes', () => {
  const yaml = (text: string) => parseTemplate(text, 'template.yaml');
  const lambda = (name: string) => ({
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::1:role/r',
      Code: { ZipFile: 'x' },
    },
  });

  it('a resource that reads a changed resource (GetAtt, Ref inside Fn::Join, a variable of Fn::Sub) is re-judged', async () => {
    const param = (value: string) => ({
      Type: 'AWS::SSM::Parameter',
      Properties: { Type: 'String', Value: value },
    });
    expect(
      await diffActions(
        template({ Name: param('orders'), Table: tableNamed({ 'Fn::GetAtt': ['Name', 'Value'] }) }),
        template({ Name: param('orders-v2'), Table: tableNamed({ 'Fn::GetAtt': ['Name', 'Value'] }) }),
      ),
    ).toEqual([
      ['Name', 'Modify', 'False'],
      ['Table', 'Modify', 'Conditional'],
    ]);
    const app = (name: string) =>
      template({
        Fn: lambda(name),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax
        Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${Fn}-data' } } },
        Table: tableNamed({ 'Fn::Join': ['-', [{ Ref: 'Fn' }, 't']] }),
      });
    const policy = parsePolicy({
      version: 1,
      allow: [{ resourceType: 'AWS::Lambda::*', actions: ['Replace'] }],
    });
    const result = await diffTemplates(app('handler-v1'), app('handler-v2'), policy);
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule])).toEqual([
      ['Bucket', 'no-conditional-replacement'],
      ['Table', 'no-conditional-replacement'],
    ]);
  });

  it('values are compared strictly: "000123" → "123" and "1e3" → "1000" are changes', async () => {
    const older = template({
      B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: '000123' } },
      T: tableNamed('1e3'),
    });
    const newer = template({
      B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: '123' } },
      T: tableNamed('1000'),
    });
    expect(await diffActions(older, newer)).toEqual([
      ['B', 'Modify', 'True'],
      ['T', 'Modify', 'True'],
    ]);
  });

  it('a mapping value looked up with literal keys is compared as the value: its replacement is certain', async () => {
    const withName = (name: string) =>
      template(
        { T: tableNamed({ 'Fn::FindInMap': ['Names', 'Table', 'Name'] }) },
        { Mappings: { Names: { Table: { Name: name } } } },
      );
    expect(await diffActions(withName('orders'), withName('orders-v2'))).toEqual([['T', 'Modify', 'True']]);
  });

  it('a template with a Transform (SAM, macros) or Fn::ForEach cannot be judged by diff: exit 2 saying why', async () => {
    const plain = file('plain.yaml', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n');
    const transformed = file(
      'sam.yaml',
      'Transform: AWS::Serverless-2016-10-31\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n',
    );
    const { code, stdout, stderr } = await cli('diff', plain, transformed);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('the new template declares Transform "AWS::Serverless-2016-10-31"');
    await expect(
      yaml('Resources:\n  Fn::ForEach::Tables:\n    - Name\n    - [a, b]\n    - {}\n'),
    ).rejects.toThrow(/AWS::LanguageExtensions/);
  });

  it('YAML aliases that expand without end are refused (templates and policies)', async () => {
    const levels = ['L0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 8; i += 1)
      levels.push(`L${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    const text = `Mappings:\n  M:\n${levels.map((l) => `    ${l}`).join('\n')}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n`;
    await expect(yaml(text)).rejects.toThrow(/expands to more than 1,000,000 values/);
    const policy = file(
      'bomb.yaml',
      `version: 1\nx: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n${Array.from({ length: 7 }, (_, i) => `y${i}: &b${i} [${Array.from({ length: 10 }, () => (i === 0 ? '*a' : `*b${i - 1}`)).join(', ')}]`).join('\n')}\n`,
    );
    const { code, stderr } = await cli('evaluate', '--policy', policy, file('cs-ok.json', page('cs', [])));
    expect(code).toBe(2);
    expect(stderr).toContain('expands to more than');
  });

  it('an array of 130,000 values in a property is walked without a stack overflow', async () => {
    const queue130k = (env: string) =>
      template(
        {
          Q: {
            Type: 'AWS::SQS::Queue',
            Properties: { RedriveAllowPolicy: { x: Array.from({ length: 130_000 }, () => 1) } },
          },
        },
        { Parameters: { Env: { Type: 'String', Default: env } } },
      );
    expect(await diffActions(queue130k('a'), queue130k('b'))).toEqual([]);
  });

  it('JSON nested 16,000 deep is read in linear time (the duplicate-key check keeps no copied paths)', () => {
    const depth = 16_000;
    const text = `{"a":${'['.repeat(depth)}${']'.repeat(depth)},"b":{"c":1,"c":2}}`;
    expect(findDuplicateKey(text)).toEqual({ key: 'c', path: 'b' });
  });

  it('thousands of missing nested change sets are judged in linear time', () => {
    const n = 8000;
    const root = page(
      'root',
      Array.from({ length: n }, (_, i) => nestedStack(`S${i}`, ARN(`missing${i}`), 'Add')),
    );
    const others = Array.from({ length: n }, (_, i) => page(`c${i}`, []));
    const result = evaluate([root, ...others]);
    expect(result.findings.filter((f) => f.rule === 'nested-change-set-given')).toHaveLength(n);
  });

  it('live mode: the first error stops the reading, calls queued behind the limit are not made', async () => {
    const cfn = mockClient(CloudFormationClient);
    try {
      const wide = Array.from({ length: 200 }, (_, i) => nestedStack(`S${i}`, ARN(`n${i}`), 'Add'));
      cfn.on(DescribeChangeSetCommand).callsFake(async (input: { ChangeSetName?: string }) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        return {
          $metadata: {},
          ChangeSetId: input.ChangeSetName,
          Status: 'CREATE_COMPLETE',
          Changes: input.ChangeSetName === ARN('root') ? wide : [],
        };
      });
      await expect(
        readChangeSet(new CloudFormationClient({ region: 'eu-west-1' }), {
          changeSetArn: ARN('root'),
          maxCalls: 10,
          concurrency: 4,
        }),
      ).rejects.toThrow(/more than 10 DescribeChangeSet calls/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(cfn.commandCalls(DescribeChangeSetCommand).length).toBeLessThanOrEqual(10 + 4);
    } finally {
      cfn.restore();
    }
  });

  it('the Arabic letter mark (a bidirectional control) is escaped too', () => {
    expect(formatText(evaluate([page('cs', [remove('A\u061cB')])]))).toContain('A\\u061cB');
  });
});
