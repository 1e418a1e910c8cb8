import { beforeAll, describe, expect, it } from 'vitest';
import {
  changesFromTemplates,
  diffTemplates,
  parsePolicy,
  parseTemplate,
  SAFE,
  TemplateError,
  UNSAFE,
} from '../src/index.js';

const table = (name: string, key = 'id', extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::DynamoDB::Table',
  ...extra,
  Properties: {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
  },
});
const queue = (timeout: number) => ({ Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: timeout } });

// @aws-cdk/cloudformation-diff is loaded on first use; load it once, outside the timed tests.
beforeAll(async () => {
  // A resource, so that the resource specification is loaded too, not only the module.
  await changesFromTemplates(
    { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 1 } } } },
    { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 2 } } } },
  );
}, 60_000);

describe('changesFromTemplates', () => {
  it('GIVEN a DynamoDB TableName change THEN Modify with Replacement True naming the property', async () => {
    const changes = await changesFromTemplates(
      { Resources: { Table: table('a', 'id', { UpdateReplacePolicy: 'Retain' }) } },
      { Resources: { Table: table('b', 'id', { UpdateReplacePolicy: 'Retain' }) } },
    );
    expect(changes).toEqual([
      {
        Type: 'Resource',
        ResourceChange: {
          LogicalResourceId: 'Table',
          ResourceType: 'AWS::DynamoDB::Table',
          Action: 'Modify',
          Replacement: 'True',
          PolicyAction: 'ReplaceAndRetain',
          Scope: ['Properties'],
          Details: [
            {
              Target: { Attribute: 'Properties', Name: 'TableName', RequiresRecreation: 'Always' },
              Evaluation: 'Static',
              ChangeSource: 'DirectModification',
            },
          ],
        },
      },
    ]);
  });

  it('GIVEN a KeySchema change THEN a replacement', async () => {
    const [change] = await changesFromTemplates(
      { Resources: { T: table('a') } },
      { Resources: { T: table('a', 'pk') } },
    );
    expect(change?.ResourceChange).toMatchObject({
      Action: 'Modify',
      Replacement: 'True',
      PolicyAction: 'ReplaceAndDelete',
    });
  });

  it('GIVEN an SQS VisibilityTimeout change THEN Modify with Replacement False and no PolicyAction', async () => {
    const [change] = await changesFromTemplates(
      { Resources: { Q: queue(30) } },
      { Resources: { Q: queue(60) } },
    );
    expect(change?.ResourceChange).toMatchObject({
      Action: 'Modify',
      Replacement: 'False',
      Scope: ['Properties'],
    });
    expect(change?.ResourceChange?.PolicyAction).toBeUndefined();
  });

  it('GIVEN removed and added resources THEN Remove (with the DeletionPolicy) and Add', async () => {
    const changes = await changesFromTemplates(
      {
        Resources: {
          Kept: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' },
          Gone: queue(1),
          Snap: { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Snapshot' },
        },
      },
      { Resources: { New: queue(1) } },
    );
    expect(
      changes.map((c) => [
        c.ResourceChange?.LogicalResourceId,
        c.ResourceChange?.Action,
        c.ResourceChange?.PolicyAction,
      ]),
    ).toEqual([
      ['Gone', 'Remove', 'Delete'],
      ['Kept', 'Remove', 'Retain'],
      ['New', 'Add', undefined],
      ['Snap', 'Remove', 'Snapshot'],
    ]);
  });

  it('GIVEN no change THEN no Changes; a changed resource type is a replacement', async () => {
    expect(
      await changesFromTemplates({ Resources: { Q: queue(1) } }, { Resources: { Q: queue(1) } }),
    ).toEqual([]);
    const [change] = await changesFromTemplates(
      { Resources: { X: queue(1) } },
      { Resources: { X: { Type: 'AWS::SNS::Topic' } } },
    );
    expect(change?.ResourceChange).toMatchObject({ Action: 'Modify', Replacement: 'True' });
  });
});

describe('diffTemplates', () => {
  it('judges the synthetic change set with the policy', async () => {
    const old = { Resources: { T: table('a'), Q: queue(30), Gone: { Type: 'AWS::Logs::LogGroup' } } };
    const next = { Resources: { T: table('a'), Q: queue(60) } };
    const unsafe = await diffTemplates(old, next);
    expect(unsafe.verdict).toBe(UNSAFE);
    expect(unsafe.findings.map((f) => [f.logicalResourceId, f.action])).toEqual([['Gone', 'Remove']]);
    const allowed = await diffTemplates(
      old,
      next,
      parsePolicy({ version: 1, allow: [{ resourceType: 'AWS::Logs::*', actions: ['Remove'] }] }),
    );
    expect(allowed.verdict).toBe(SAFE);
  });
});

describe('parseTemplate', () => {
  it('reads YAML with CloudFormation short tags', async () => {
    const template = await parseTemplate(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub "${AWS::StackName}-b"\n      Tags: [{Key: k, Value: !Ref Env}]\n',
      'app.yaml',
    );
    expect(template).toEqual({
      Resources: {
        B: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
            BucketName: { 'Fn::Sub': '${AWS::StackName}-b' },
            Tags: [{ Key: 'k', Value: { Ref: 'Env' } }],
          },
        },
      },
    });
  });

  it('reads JSON', async () => {
    expect(await parseTemplate('{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}}}')).toEqual({
      Resources: { Q: { Type: 'AWS::SQS::Queue' } },
    });
  });

  it.each([
    ['{"Resources": ', /^old.json: not valid JSON/],
    ['Resources: [\n', /^old.json: not valid YAML/],
    ['', /^old.json: the file is empty/],
    ['- a\n- b\n', /^old.json: a template must be an object/],
    ['Outputs: {}\n', /^old.json: a template needs a Resources section/],
    ['Resources:\n  X: {Properties: {}}\n', /^old.json: resource X must be an object with a string Type/],
  ])('names the file and the problem: %j', async (text, message) => {
    const error = await parseTemplate(text, 'old.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).toMatch(message);
  });
});
