import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readChangeSet } from '@cfn-safe-deploy/changeset-policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudFormationFront,
  startCloudFormationFront,
  startEmulator,
  stopEmulator,
} from '../src/index.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };
const BUCKET = 'nested-templates';
const PARENT = 'nested-parent';

function childTemplate(fields: { queueName: string; visibility: number }): string {
  return JSON.stringify({
    Resources: {
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { QueueName: fields.queueName, VisibilityTimeout: fields.visibility },
      },
    },
    Outputs: { QueueUrl: { Value: { Ref: 'Queue' } } },
  });
}

function parentTemplate(templateUrl: string): string {
  return JSON.stringify({
    Resources: {
      Topic: { Type: 'AWS::SNS::Topic' },
      Child: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: templateUrl } },
    },
  });
}

describe('the CloudFormation front: nested stacks and nested change sets', () => {
  let home: string;
  let front: CloudFormationFront;
  let cfn: CloudFormationClient;
  let s3: S3Client;
  let sqs: SQSClient;
  let childStack: string;

  async function putChild(key: string, body: string): Promise<string> {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    return `https://${BUCKET}.s3.amazonaws.com/${key}`;
  }

  async function updateChangeSet(name: string, templateUrl: string) {
    return cfn.send(
      new CreateChangeSetCommand({
        StackName: PARENT,
        ChangeSetName: name,
        ChangeSetType: 'UPDATE',
        IncludeNestedStacks: true,
        TemplateBody: parentTemplate(templateUrl),
      }),
    );
  }

  async function childResource(): Promise<{ stackId?: string; queueUrl?: string }> {
    const parent = await cfn.send(new DescribeStackResourcesCommand({ StackName: PARENT }));
    const name = parent.StackResources?.find((r) => r.LogicalResourceId === 'Child')?.PhysicalResourceId;
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    const child = await cfn.send(new DescribeStackResourcesCommand({ StackName: name }));
    return {
      stackId: stack?.StackId,
      queueUrl: child.StackResources?.find((r) => r.LogicalResourceId === 'Queue')?.PhysicalResourceId,
    };
  }

  async function visibility(queueUrl: string | undefined): Promise<string | undefined> {
    const answer = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }),
    );
    return answer.Attributes?.VisibilityTimeout;
  }

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'safe-deploy-nested-front-'));
    const { record } = await startEmulator({ stateDir: home });
    front = await startCloudFormationFront({ upstream: record.endpoint, pageSize: 2, operationMs: 0 });
    cfn = new CloudFormationClient({ endpoint: front.endpoint, region: 'us-east-1', credentials });
    s3 = new S3Client({ endpoint: record.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    sqs = new SQSClient({
      endpoint: record.endpoint,
      region: 'us-east-1',
      credentials,
      useQueueUrlAsEndpoint: false,
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    // GIVEN a parent stack with a nested stack, created through the front
    const url = await putChild('child-v1.json', childTemplate({ queueName: 'nested-queue', visibility: 30 }));
    const created = await cfn.send(
      new CreateChangeSetCommand({
        StackName: PARENT,
        ChangeSetName: 'create',
        ChangeSetType: 'CREATE',
        IncludeNestedStacks: true,
        TemplateBody: parentTemplate(url),
      }),
    );
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: created.Id }));
    childStack = (await childResource()).stackId ?? '';
  });
  afterAll(async () => {
    await front?.close();
    if (home) {
      await stopEmulator(home);
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('THEN the nested stack is created with the parent, named after it, from the template in S3', async () => {
    // Act
    const child = await childResource();
    // Assess
    expect(child.stackId).toMatch(/:stack\/nested-parent-Child-[A-Za-z0-9]+\//);
    expect(child.queueUrl).toMatch(/\/nested-queue$/);
    expect(await visibility(child.queueUrl)).toBe('30');
  });

  it('WHEN the nested queue is renamed THEN the parent change points at a nested change set that lists the replacement', async () => {
    // Arrange
    const url = await putChild(
      'child-v2.json',
      childTemplate({ queueName: 'nested-queue-2', visibility: 30 }),
    );
    const root = await updateChangeSet('rename', url);
    // Act
    const pages = await readChangeSet(cfn, { changeSetArn: root.Id ?? '', stackName: PARENT });
    // Assess
    const [parentPage, childPage] = pages;
    const child = parentPage?.Changes?.find((c) => c.ResourceChange?.LogicalResourceId === 'Child');
    expect(child?.ResourceChange).toMatchObject({
      Action: 'Modify',
      ResourceType: 'AWS::CloudFormation::Stack',
      ChangeSetId: childPage?.ChangeSetId,
    });
    expect(childPage).toMatchObject({
      ParentChangeSetId: root.Id,
      RootChangeSetId: root.Id,
      Status: 'CREATE_COMPLETE',
    });
    expect(childPage?.Changes?.map((c) => c.ResourceChange)).toEqual([
      expect.objectContaining({
        Action: 'Modify',
        LogicalResourceId: 'Queue',
        Replacement: 'True',
        PhysicalResourceId: expect.stringMatching(/nested-queue$/),
      }),
    ]);
    expect(parentPage?.ParentChangeSetId).toBeUndefined();
  });

  it('WHEN the root change set is deleted THEN its nested change set is deleted too', async () => {
    // Arrange
    const url = await putChild(
      'child-v2.json',
      childTemplate({ queueName: 'nested-queue-2', visibility: 30 }),
    );
    const root = await updateChangeSet('to-delete', url);
    const pages = await readChangeSet(cfn, { changeSetArn: root.Id ?? '', stackName: PARENT });
    const nestedId = pages[1]?.ChangeSetId;
    // Act
    await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: 'to-delete', StackName: PARENT }));
    // Assess
    expect(nestedId).toEqual(expect.any(String));
    const left = await cfn.send(new ListChangeSetsCommand({ StackName: childStack }));
    expect((left.Summaries ?? []).map((s) => s.ChangeSetId)).not.toContain(nestedId);
  });

  it('WHEN only the template behind the URL changes safely THEN executing the root updates the nested stack in place', async () => {
    // Arrange
    const url = await putChild('child-v1.json', childTemplate({ queueName: 'nested-queue', visibility: 45 }));
    const before = await childResource();
    const root = await updateChangeSet('in-place', url);
    const pages = await readChangeSet(cfn, { changeSetArn: root.Id ?? '', stackName: PARENT });
    // Act
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: root.Id }));
    // Assess
    const queue = pages[1]?.Changes?.[0]?.ResourceChange;
    expect(queue).toMatchObject({ LogicalResourceId: 'Queue', Replacement: 'False' });
    const after = await childResource();
    expect(after).toEqual(before);
    expect(await visibility(after.queueUrl)).toBe('45');
    const parent = (await cfn.send(new DescribeStacksCommand({ StackName: PARENT }))).Stacks?.[0];
    expect(parent?.StackStatus).toBe('UPDATE_COMPLETE');
  });

  it('WHEN the nested stack moves to another URL with a safe change THEN it is still the same stack, updated in place', async () => {
    // Arrange
    const url = await putChild('child-v3.json', childTemplate({ queueName: 'nested-queue', visibility: 60 }));
    const before = await childResource();
    const root = await updateChangeSet('moved', url);
    // Act
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: root.Id }));
    // Assess
    const after = await childResource();
    expect(after).toEqual(before);
    expect(await visibility(after.queueUrl)).toBe('60');
  });

  it('WHEN a change set is made without IncludeNestedStacks THEN the parent change has no ChangeSetId, and executing it still updates the nested stack in place', async () => {
    // Arrange
    const url = await putChild('child-v4.json', childTemplate({ queueName: 'nested-queue', visibility: 75 }));
    const before = await childResource();
    const root = await cfn.send(
      new CreateChangeSetCommand({
        StackName: PARENT,
        ChangeSetName: 'not-included',
        ChangeSetType: 'UPDATE',
        TemplateBody: parentTemplate(url),
      }),
    );
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: root.Id }));
    // Act
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: root.Id }));
    // Assess
    const child = described.Changes?.find((c) => c.ResourceChange?.LogicalResourceId === 'Child');
    expect(child?.ResourceChange).toMatchObject({
      Action: 'Modify',
      ResourceType: 'AWS::CloudFormation::Stack',
    });
    expect(child?.ResourceChange?.ChangeSetId).toBeUndefined();
    const after = await childResource();
    expect(after).toEqual(before);
    expect(await visibility(after.queueUrl)).toBe('75');
  });

  it('WHEN nothing changed THEN the change set says so and no nested change set is left', async () => {
    // Arrange
    const url = `https://${BUCKET}.s3.amazonaws.com/child-v4.json`;
    // Act
    const root = await updateChangeSet('nothing', url);
    // Assess
    const described = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: root.Id }));
    expect(described).toMatchObject({ Status: 'FAILED', Changes: [] });
    const left = await cfn.send(new ListChangeSetsCommand({ StackName: childStack }));
    expect((left.Summaries ?? []).map((s) => s.ChangeSetName)).not.toContain('nothing-Child');
  });

  it.each([
    ['http://nested-templates.s3.amazonaws.com/child-v1.json', 'not https'],
    ['https://example.com/nested-templates/child-v1.json', 'not Amazon S3'],
    ['https://s3.amazonaws.com/nested-templates', 'names no key'],
  ])(
    'WHEN a nested stack has TemplateURL %s THEN CreateChangeSet is a ValidationError naming it',
    async (url, why) => {
      // Act
      const attempt = updateChangeSet('bad-url', url);
      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'ValidationError' });
      await expect(attempt).rejects.toThrow(url);
      await expect(attempt).rejects.toThrow(why);
    },
  );

  it('WHEN a nested template is not in S3 THEN the change set is created and ends FAILED, naming the URL; it cannot be executed', async () => {
    // Arrange
    const url = `https://s3.us-east-1.amazonaws.com/${BUCKET}/missing.json`;
    // Act
    const created = await updateChangeSet('missing', url);
    const described = await cfn.send(
      new DescribeChangeSetCommand({ StackName: PARENT, ChangeSetName: created.Id }),
    );
    // Assess: as CloudFormation, which reads nested templates while it creates the change set
    expect(described).toMatchObject({ Status: 'FAILED', ExecutionStatus: 'UNAVAILABLE', Changes: [] });
    expect(described.StatusReason).toContain(
      'Nested change set for nested stack Child was not successfully created',
    );
    expect(described.StatusReason).toContain(`${url} (bucket ${BUCKET}, key missing.json)`);
    await expect(
      cfn.send(new ExecuteChangeSetCommand({ StackName: PARENT, ChangeSetName: created.Id })),
    ).rejects.toMatchObject({ name: 'InvalidChangeSetStatusException' });
    await cfn.send(new DeleteChangeSetCommand({ StackName: PARENT, ChangeSetName: created.Id }));
  });

  it('WHEN the parent is deleted THEN its nested stack is deleted with it', async () => {
    // Arrange
    const { stackId } = await childResource();
    // Act
    await cfn.send(new DeleteStackCommand({ StackName: PARENT }));
    // Assess
    const child = (await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0];
    expect(child?.StackStatus).toBe('DELETE_COMPLETE');
    await expect(cfn.send(new DescribeStacksCommand({ StackName: PARENT }))).rejects.toThrow(PARENT);
  });
});
