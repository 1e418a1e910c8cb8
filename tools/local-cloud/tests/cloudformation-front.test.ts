import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DescribeChangeSetCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { readChangeSet } from '@cfn-safe-deploy/changeset-policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudFormationFront,
  startCloudFormationFront,
  startEmulator,
  stopEmulator,
} from '../src/index.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };

function template(fields: { visibility: number; tableName: string; extraTopic?: boolean }) {
  return JSON.stringify({
    Resources: {
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: fields.visibility } },
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          TableName: fields.tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        },
      },
      Setting: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Name: '/front/setting', Type: 'String', Value: 'one' },
      },
      ...(fields.extraTopic ? { Topic: { Type: 'AWS::SNS::Topic' } } : {}),
    },
  });
}

describe('the CloudFormation front (between the bundles and moto)', () => {
  let home: string;
  let front: CloudFormationFront;
  let cfn: CloudFormationClient;
  let changeSetArn: string;
  let stackId: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'safe-deploy-front-'));
    const { record } = await startEmulator({ stateDir: home });
    // Operations take no time here (this file is about change sets; time is tested in stack-operations*.test.ts).
    front = await startCloudFormationFront({ upstream: record.endpoint, pageSize: 2, operationMs: 0 });
    cfn = new CloudFormationClient({ endpoint: front.endpoint, region: 'us-east-1', credentials });
    // GIVEN a stack created through the front
    const created = await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'front-stack',
        ChangeSetName: 'create',
        ChangeSetType: 'CREATE',
        TemplateBody: template({ visibility: 30, tableName: 'front-table' }),
      }),
    );
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: created.Id, StackName: created.StackId }));
    // WHEN a change set renames the table, changes the queue and adds a topic
    const update = await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'front-stack',
        ChangeSetName: 'update',
        ChangeSetType: 'UPDATE',
        TemplateBody: template({ visibility: 60, tableName: 'front-table-2', extraTopic: true }),
      }),
    );
    changeSetArn = update.Id ?? '';
    stackId = update.StackId ?? '';
  });
  afterAll(async () => {
    await front?.close();
    if (home) {
      await stopEmulator(home);
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('THEN DescribeChangeSet is paged at the page size with a NextToken that leads to the rest', async () => {
    // Act
    const first = await cfn.send(
      new DescribeChangeSetCommand({ ChangeSetName: changeSetArn, StackName: stackId }),
    );
    const second = await cfn.send(
      new DescribeChangeSetCommand({
        ChangeSetName: changeSetArn,
        StackName: stackId,
        NextToken: first.NextToken,
      }),
    );
    // Assess
    expect(first.Changes).toHaveLength(2);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.Changes).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    expect(second.ChangeSetId).toBe(changeSetArn);
    const ids = [...(first.Changes ?? []), ...(second.Changes ?? [])].map(
      (c) => c.ResourceChange?.LogicalResourceId,
    );
    expect(ids.sort()).toEqual(['Queue', 'Table', 'Topic']);
  });

  it('THEN a renamed table is a replacement, a queue visibility change is not, each with Scope and Details', async () => {
    // Act
    const pages = await readChangeSet(cfn, { changeSetArn, stackName: stackId });
    // Assess
    const changes = pages.flatMap((page) => page.Changes ?? []).map((change) => change.ResourceChange);
    const table = changes.find((change) => change?.LogicalResourceId === 'Table');
    const queue = changes.find((change) => change?.LogicalResourceId === 'Queue');
    const topic = changes.find((change) => change?.LogicalResourceId === 'Topic');
    expect(pages).toHaveLength(2);
    expect(table).toMatchObject({
      Action: 'Modify',
      Replacement: 'True',
      PhysicalResourceId: 'front-table',
      PolicyAction: 'ReplaceAndDelete',
      Scope: ['Properties'],
      Details: [
        expect.objectContaining({
          Target: expect.objectContaining({ Name: 'TableName', RequiresRecreation: 'Always' }),
        }),
      ],
    });
    expect(queue).toMatchObject({
      Action: 'Modify',
      Replacement: 'False',
      Scope: ['Properties'],
      Details: [
        expect.objectContaining({
          Target: expect.objectContaining({ Name: 'VisibilityTimeout', RequiresRecreation: 'Never' }),
        }),
      ],
    });
    expect(topic).toMatchObject({ Action: 'Add', ResourceType: 'AWS::SNS::Topic' });
  });

  it('THEN a NextToken that is not of this change set is a ValidationError', async () => {
    // Act
    const attempt = cfn.send(
      new DescribeChangeSetCommand({ ChangeSetName: changeSetArn, StackName: stackId, NextToken: 'bogus' }),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('THEN a template identical to the stack gives a FAILED change set without changes, as AWS does', async () => {
    // Prepare
    const same = await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'front-stack',
        ChangeSetName: 'same',
        ChangeSetType: 'UPDATE',
        TemplateBody: template({ visibility: 30, tableName: 'front-table' }),
      }),
    );
    // Act
    const described = await cfn.send(
      new DescribeChangeSetCommand({ ChangeSetName: same.Id, StackName: same.StackId }),
    );
    // Assess
    expect(described.Status).toBe('FAILED');
    expect(described.StatusReason).toMatch(/didn't contain changes/);
    expect(described.Changes ?? []).toEqual([]);
  });
});
