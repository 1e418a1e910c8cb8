import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARN, add, modify, nestedStack, page, remove } from './helpers.js';

/** Writes the CLI fixtures into a fresh temp dir and returns their paths. */
export function writeFixtures() {
  const dir = mkdtempSync(join(tmpdir(), 'changeset-policy-cli-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  return {
    dir,
    safe: file('safe.json', page('safe', [add('A'), modify('Q', 'False')])),
    unsafe: file(
      'unsafe.json',
      page('unsafe', [remove('Bucket', 'AWS::S3::Bucket', 'Retain'), modify('Q', 'False')]),
    ),
    nestedArray: file('nested.json', [
      page('root', [nestedStack('Child', ARN('child'))], { NextToken: 'p2' }),
      page('root', [add('B')]),
      page('child', [modify('Table', 'True', 'AWS::DynamoDB::Table')]),
    ]),
    missingPage: file('missing-page.json', page('partial', [add('A')], { NextToken: 'more' })),
    failedNoChanges: file(
      'failed.json',
      page('failed', [], {
        Status: 'FAILED',
        StatusReason: "The submitted information didn't contain changes.",
      }),
    ),
    badJson: file('bad.json', '{"ChangeSetId": '),
    notChangeSet: file('template.json', { Resources: { Q: { Type: 'AWS::SQS::Queue' } } }),
    badField: file(
      'bad-field.json',
      page('x', [{ Type: 'Resource', ResourceChange: { Action: 7 as unknown as string } }]),
    ),
    retainPolicy: file('retain.json', { version: 1, allowRetainedRemovals: true }),
    retainPolicyYaml: file('retain.yaml', 'version: 1\nallowRetainedRemovals: true\n'),
    badPolicy: file('bad-policy.json', { version: 1, allow: [{ actions: ['Delete'] }] }),
    oldTemplate: file(
      'old.yaml',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
      'Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Sub "${AWS::StackName}-a"\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {VisibilityTimeout: 30}\n',
    ),
    newTemplateSafe: file('new-safe.json', {
      Resources: {
        Table: {
          Type: 'AWS::DynamoDB::Table',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a JS template
          Properties: { TableName: { 'Fn::Sub': '${AWS::StackName}-a' } },
        },
        Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 60 } },
      },
    }),
    newTemplateUnsafe: file(
      'new-unsafe.yaml',
      'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {VisibilityTimeout: 30}\n',
    ),
    missing: join(dir, 'does-not-exist.json'),
  };
}
