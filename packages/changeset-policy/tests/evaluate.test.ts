import type { DescribeChangeSetCommandOutput } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import {
  ChangeSetInputError,
  EvaluationSchema,
  evaluate,
  groupChangeSets,
  parseChangeSetPages,
  parsePolicy,
  SAFE,
  UNSAFE,
} from '../src/index.js';
import { ARN, add, change, modify, nestedStack, page, remove } from './helpers.js';

describe('evaluate with the default policy', () => {
  it('GIVEN only Add, Import and in-place Modify THEN safe', () => {
    const result = evaluate([
      page('a', [
        add('A'),
        change({ Action: 'Import', LogicalResourceId: 'I', ResourceType: 'AWS::S3::Bucket' }),
        modify('Q', 'False'),
      ]),
    ]);
    expect(result).toEqual({ verdict: SAFE, findings: [], allowed: [], notes: [] });
    expect(EvaluationSchema.parse(result)).toEqual(result);
  });

  it('GIVEN a Remove, a replacement, a conditional replacement and a Dynamic THEN one finding each', () => {
    const result = evaluate([
      page('a', [
        remove('Bucket'),
        modify('Table', 'True', 'AWS::DynamoDB::Table', { PolicyAction: 'ReplaceAndDelete' }),
        modify('Db', 'Conditional', 'AWS::RDS::DBInstance'),
        change({ Action: 'Dynamic', LogicalResourceId: 'D', ResourceType: 'AWS::Lambda::Function' }),
      ]),
    ]);
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings.map((f) => [f.logicalResourceId, f.rule])).toEqual([
      ['Bucket', 'no-removal'],
      ['Table', 'no-replacement'],
      ['Db', 'no-conditional-replacement'],
      ['D', 'no-dynamic'],
    ]);
    expect(result.findings[1]).toEqual({
      stackPath: [],
      logicalResourceId: 'Table',
      resourceType: 'AWS::DynamoDB::Table',
      action: 'Modify',
      replacement: 'True',
      policyAction: 'ReplaceAndDelete',
      reason: expect.stringContaining('replaces the resource'),
      rule: 'no-replacement',
    });
  });

  it('reads changes from every page of a change set', () => {
    const result = evaluate([
      page('a', [add('A')], { NextToken: 'p2' }),
      page('a', [modify('Q', 'False')], { NextToken: 'p3' }),
      page('a', [remove('OnLastPage')]),
    ]);
    expect(result.findings.map((f) => f.logicalResourceId)).toEqual(['OnLastPage']);
  });

  it('fails closed when every given page has a NextToken (a page is missing)', () => {
    const result = evaluate([page('a', [add('A')], { NextToken: 'p2', StackName: 'prod-app' })]);
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings).toEqual([
      expect.objectContaining({ stackPath: [], logicalResourceId: 'prod-app', rule: 'complete-pages' }),
    ]);
    expect(result.findings[0]?.reason).toContain('at least one page of changes is missing');
  });

  it('follows nested change sets three levels deep and reports the stack path', () => {
    const result = evaluate([
      page('root', [nestedStack('Network', ARN('network')), modify('RootQueue', 'False')]),
      page('network', [nestedStack('Subnets', ARN('subnets')), add('Vpc')]),
      page('subnets', [nestedStack('Routes', ARN('routes'))], { NextToken: 'more' }),
      page('subnets', [modify('SubnetA', 'True', 'AWS::EC2::Subnet')]),
      page('routes', [remove('Route', 'AWS::EC2::Route')]),
    ]);
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings.map((f) => [f.stackPath, f.logicalResourceId])).toEqual([
      [['Network', 'Subnets', 'Routes'], 'Route'],
      [['Network', 'Subnets'], 'SubnetA'],
    ]);
  });

  it('fails closed on a nested change set that is referenced but not given, at the nested stack', () => {
    const result = evaluate([page('root', [nestedStack('Child', ARN('child'))])]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        stackPath: [],
        logicalResourceId: 'Child',
        resourceType: 'AWS::CloudFormation::Stack',
        rule: 'nested-change-set-given',
      }),
    ]);
  });

  it('reports a missing page of a nested change set where the nested stack sits in its parent', () => {
    const result = evaluate([
      page('root', [nestedStack('Child', ARN('child'))]),
      page('child', [add('A')], { NextToken: 'x' }),
    ]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        stackPath: [],
        logicalResourceId: 'Child',
        action: 'Modify',
        rule: 'complete-pages',
      }),
    ]);
  });

  it('fails closed on a cycle of nested change sets instead of looping or skipping them', () => {
    const result = evaluate([
      page('a', [nestedStack('B', ARN('b'))]),
      page('b', [nestedStack('A', ARN('a'))]),
    ]);
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings.map((f) => f.rule)).toEqual(['acyclic-nesting']);
  });

  it('fails closed on a Change that is not a resource change, an unknown action or a Modify without Replacement', () => {
    const result = evaluate([
      page('a', [
        { Type: 'Hook' },
        { Type: 'Resource' },
        change({ Action: 'Delete', LogicalResourceId: 'X', ResourceType: 'AWS::S3::Bucket' }),
        modify('Y', undefined),
        modify('Z', 'Perhaps'),
      ]),
    ]);
    expect(result.findings.map((f) => f.rule)).toEqual([
      'resource-change-present',
      'resource-change-present',
      'known-action',
      'known-replacement',
      'known-replacement',
    ]);
  });

  it('never lets a policy allow a fail-closed finding', () => {
    const everything = parsePolicy({
      version: 1,
      allow: [{ actions: ['Remove', 'Replace', 'ConditionalReplace', 'Dynamic'] }],
      allowRetainedRemovals: true,
      conditionalReplacement: 'safe',
    });
    const result = evaluate(
      [
        page('a', [change({ Action: 'Wipe', LogicalResourceId: 'X' }), nestedStack('C', ARN('c'))], {
          NextToken: 'n',
        }),
      ],
      everything,
    );
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings.map((f) => f.rule).sort()).toEqual([
      'complete-pages',
      'known-action',
      'nested-change-set-given',
    ]);
  });

  it('judges SyncWithActual by its Replacement value (metadata only when absent or False)', () => {
    const sync = (id: string, replacement?: string) =>
      change({
        Action: 'SyncWithActual',
        LogicalResourceId: id,
        ResourceType: 'AWS::S3::Bucket',
        ...(replacement ? { Replacement: replacement } : {}),
      });
    expect(evaluate([page('a', [sync('A'), sync('B', 'False')])]).verdict).toBe(SAFE);
    expect(evaluate([page('a', [sync('C', 'True')])]).findings.map((f) => f.rule)).toEqual([
      'no-replacement',
    ]);
  });

  it('fails closed on an updated nested stack whose changes are not included', () => {
    const result = evaluate([page('a', [modify('Child', 'False', 'AWS::CloudFormation::Stack')])]);
    expect(result.findings.map((f) => f.rule)).toEqual(['nested-changes-visible']);
  });

  it('treats removing a whole nested stack as a Remove', () => {
    const result = evaluate([page('a', [remove('Child', 'AWS::CloudFormation::Stack')])]);
    expect(result.findings.map((f) => f.rule)).toEqual(['no-removal']);
  });

  it('GIVEN a FAILED change set without changes THEN safe, with a note', () => {
    const result = evaluate([
      page('a', [], { Status: 'FAILED', StatusReason: "The submitted information didn't contain changes." }),
    ]);
    expect(result.verdict).toBe(SAFE);
    expect(result.notes[0]).toContain("didn't contain changes");
    // A page without a Changes list is not a DescribeChangeSet result: never read as "no changes".
    expect(() => evaluate([{ ...page('a', []), Changes: undefined as unknown as [] }])).toThrow(
      /no Changes list/,
    );
  });

  it('refuses an empty input rather than calling nothing safe', () => {
    expect(() => evaluate([])).toThrow(ChangeSetInputError);
  });

  it('accepts the grouping from groupChangeSets, and the SDK output once parseChangeSetPages has checked it', () => {
    const sdkOutput: DescribeChangeSetCommandOutput = {
      $metadata: {},
      ChangeSetId: ARN('a'),
      Status: 'CREATE_COMPLETE',
      Changes: [
        {
          Type: 'Resource',
          ResourceChange: { Action: 'Remove', LogicalResourceId: 'B', PolicyAction: 'Retain' },
        },
      ],
    };
    expect(evaluate(groupChangeSets(parseChangeSetPages(sdkOutput))).verdict).toBe(UNSAFE);
  });
});

describe('evaluate with a policy', () => {
  const pages = [
    page('root', [
      remove('TempLogs', 'AWS::Logs::LogGroup'),
      remove('Data', 'AWS::S3::Bucket', 'Retain'),
      modify('Db', 'Conditional', 'AWS::RDS::DBInstance'),
      modify('Fn', 'True', 'AWS::Lambda::Function'),
      nestedStack('Child', ARN('child')),
    ]),
    page('child', [remove('ChildLogs', 'AWS::Logs::LogGroup')]),
  ];

  it('allow rules match resourceType and logicalResourceId globs and say which rule allowed', () => {
    const policy = parsePolicy({
      version: 1,
      allow: [
        { resourceType: 'AWS::Logs::*', logicalResourceId: 'Temp*', actions: ['Remove'] },
        { resourceType: 'AWS::Lambda::Function', actions: ['Replace'] },
      ],
    });
    const result = evaluate(pages, policy);
    expect(result.allowed.map((f) => [f.logicalResourceId, f.allowedBy])).toEqual([
      ['TempLogs', 'allow[0]'],
      ['Fn', 'allow[1]'],
    ]);
    expect(result.findings.map((f) => f.logicalResourceId)).toEqual(['Data', 'Db', 'ChildLogs']);
  });

  it('an allow rule only covers the kinds it names', () => {
    const policy = parsePolicy({
      version: 1,
      allow: [{ resourceType: 'AWS::Lambda::Function', actions: ['Remove'] }],
    });
    expect(evaluate(pages, policy).findings.map((f) => f.logicalResourceId)).toContain('Fn');
  });

  it('allowRetainedRemovals makes a retained Remove safe, not a deleting one', () => {
    const result = evaluate(pages, parsePolicy({ version: 1, allowRetainedRemovals: true }));
    expect(result.allowed.map((f) => [f.logicalResourceId, f.allowedBy])).toEqual([
      ['Data', 'allowRetainedRemovals'],
    ]);
    expect(result.findings.map((f) => f.logicalResourceId)).toContain('TempLogs');
  });

  it('conditionalReplacement: safe allows Replacement Conditional but not True', () => {
    const result = evaluate(pages, parsePolicy({ version: 1, conditionalReplacement: 'safe' }));
    expect(result.allowed.map((f) => [f.logicalResourceId, f.allowedBy])).toEqual([
      ['Db', 'conditionalReplacement: safe'],
    ]);
    expect(result.findings.map((f) => f.logicalResourceId)).toContain('Fn');
  });

  it('everything allowed → safe, with the allowed changes listed', () => {
    const policy = parsePolicy({
      version: 1,
      allow: [{ resourceType: 'AWS::*', actions: ['Remove', 'Replace', 'ConditionalReplace'] }],
    });
    const result = evaluate(pages, policy);
    expect(result.verdict).toBe(SAFE);
    expect(result.allowed).toHaveLength(5);
    expect(result.allowed.find((f) => f.logicalResourceId === 'ChildLogs')?.stackPath).toEqual(['Child']);
  });
});

describe('AWS::CDK::Metadata', () => {
  const metadataChanges = () => [
    modify('CDKMetadata', 'Conditional', 'AWS::CDK::Metadata'),
    modify('CDKMetadata2', 'True', 'AWS::CDK::Metadata'),
    remove('CDKMetadata3', 'AWS::CDK::Metadata'),
    change({ Action: 'Dynamic', LogicalResourceId: 'CDKMetadata4', ResourceType: 'AWS::CDK::Metadata' }),
  ];

  it('GIVEN any change to the CDK analytics resource, under every policy THEN it is never a finding, and is listed as allowed with its reason', () => {
    for (const policy of [
      parsePolicy({ version: 1 }),
      parsePolicy({ version: 1, conditionalReplacement: 'safe', allowRetainedRemovals: true }),
      parsePolicy({ version: 1, allow: [{ resourceType: 'AWS::S3::*', actions: ['Remove'] }] }),
    ]) {
      const result = evaluate([page('a', metadataChanges())], policy);
      expect(result.verdict).toBe(SAFE);
      expect(result.findings).toEqual([]);
      expect(result.allowed.map((a) => [a.logicalResourceId, a.allowedBy])).toEqual([
        ['CDKMetadata', 'AWS::CDK::Metadata holds no data'],
        ['CDKMetadata2', 'AWS::CDK::Metadata holds no data'],
        ['CDKMetadata3', 'AWS::CDK::Metadata holds no data'],
        ['CDKMetadata4', 'AWS::CDK::Metadata holds no data'],
      ]);
    }
  });

  it('GIVEN a metadata change beside a real replacement THEN only the replacement is a finding', () => {
    const result = evaluate([
      page('a', [
        modify('CDKMetadata', 'Conditional', 'AWS::CDK::Metadata'),
        modify('Table', 'True', 'AWS::DynamoDB::Table'),
      ]),
    ]);
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings.map((f) => f.logicalResourceId)).toEqual(['Table']);
    expect(result.allowed.map((a) => a.logicalResourceId)).toEqual(['CDKMetadata']);
  });

  it('GIVEN a metadata change with an action nobody knows THEN it still fails closed', () => {
    const result = evaluate([
      page('a', [
        change({ Action: 'Teleport', LogicalResourceId: 'CDKMetadata', ResourceType: 'AWS::CDK::Metadata' }),
      ]),
    ]);
    expect(result.verdict).toBe(UNSAFE);
    expect(result.allowed).toEqual([]);
  });
});
