import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStackResourcesCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSetsLeft, deployJson, stackStatus, startTestEmulator, type TestEmulator } from './helpers.js';

const STACK = 'qa-nested-app';
const BUCKET = 'qa-nested-templates';

function childTemplate(options: { queueName: string; visibility: number }): string {
  return `Parameters:
  Stage:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: ${options.queueName}
      VisibilityTimeout: ${options.visibility}
      Tags:
        - Key: stage
          Value: !Ref Stage
Outputs:
  QueueUrl:
    Value: !Ref Queue
`;
}

function parentTemplate(childKey: string): string {
  return `Parameters:
  environmentName:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Child:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://${BUCKET}.s3.amazonaws.com/${childKey}
      Parameters:
        Stage: !Ref environmentName
`;
}

const input = {
  environmentName: 'qa',
  stackName: 'nested-app',
  templatePath: 'template.yaml',
  parameters: { environmentName: 'qa' },
};

describe('safe-deploy deploy: a template with a nested stack (AWS::CloudFormation::Stack)', () => {
  let emulator: TestEmulator;
  let root: string;
  let s3: S3Client;
  let sqs: SQSClient;

  /**
   * A revision as a user prepares it: the parent and the child template in the source directory,
   * and the child uploaded to the emulator's S3 at the key the parent names.
   */
  async function revision(name: string, childKey: string, child: string): Promise<string> {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'template.yaml'), parentTemplate(childKey));
    writeFileSync(join(dir, 'child.yaml'), child);
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: childKey, Body: readFileSync(join(dir, 'child.yaml')) }),
    );
    return dir;
  }

  async function resources(stackName: string): Promise<Record<string, string | undefined>> {
    const answer = await emulator.cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    return Object.fromEntries(
      (answer.StackResources ?? []).map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId]),
    );
  }

  async function childStack(): Promise<string> {
    return (await resources(STACK)).Child ?? '';
  }

  async function queueVisibility(): Promise<string | undefined> {
    const queueUrl = (await resources(await childStack())).Queue;
    const answer = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }),
    );
    return answer.Attributes?.VisibilityTimeout;
  }

  beforeAll(async () => {
    emulator = await startTestEmulator();
    root = mkdtempSync(join(tmpdir(), 'safe-deploy-nested-'));
    const clientOptions = {
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: emulator.credentials,
    };
    s3 = new S3Client({ ...clientOptions, forcePathStyle: true });
    sqs = new SQSClient({ ...clientOptions, useQueueUrlAsEndpoint: false });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('GIVEN no stack WHEN deployed THEN the parent and its nested stack are created', async () => {
    // Arrange
    const dir = await revision(
      'v1',
      'child-v1.yaml',
      childTemplate({ queueName: 'qa-nested-queue', visibility: 30 }),
    );
    // Act
    const { code, summary } = await deployJson(emulator, dir, input);
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({ result: 'Succeeded', stackName: STACK, stackStatus: 'CREATE_COMPLETE' });
    const child = await childStack();
    expect(child).toMatch(/^qa-nested-app-Child-/);
    expect(await stackStatus(emulator.cfn, child)).toBe('CREATE_COMPLETE');
    expect((await resources(child)).Queue).toMatch(/\/qa-nested-queue$/);
  });

  it('GIVEN the stacks WHEN the nested queue is renamed (a replacement) THEN it is refused with its stack path, and nothing changes', async () => {
    // Arrange
    const dir = await revision(
      'rename',
      'child-rename.yaml',
      childTemplate({ queueName: 'qa-nested-queue-renamed', visibility: 30 }),
    );
    const child = await childStack();
    const before = { parent: await resources(STACK), child: await resources(child) };
    // Act
    const run = await deployJson(emulator, dir, input);
    // Assess
    expect(run.code).toBe(1);
    expect(run.summary).toMatchObject({ result: 'Failed', verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED' });
    // the product names the resource by its path from the root stack: Child/Queue
    expect(run.summary.message).toContain(
      'Child/Queue (AWS::SQS::Queue): Modify replaces the resource (Replacement True)',
    );
    expect({ parent: await resources(STACK), child: await resources(child) }).toEqual(before);
    expect(await stackStatus(emulator.cfn, STACK)).toBe('CREATE_COMPLETE');
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
    expect(await changeSetsLeft(emulator.cfn, child)).toBe(0);
  });

  it('GIVEN the stacks WHEN the nested queue visibility changes THEN it executes in place and moto has the new value', async () => {
    // Arrange
    const dir = await revision(
      'v2',
      'child-v2.yaml',
      childTemplate({ queueName: 'qa-nested-queue', visibility: 90 }),
    );
    const child = await childStack();
    const queue = (await resources(child)).Queue;
    // Act
    const { code, summary } = await deployJson(emulator, dir, input);
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      stackStatus: 'UPDATE_COMPLETE',
    });
    expect(await childStack()).toBe(child);
    expect((await resources(child)).Queue).toBe(queue);
    expect(await stackStatus(emulator.cfn, child)).toBe('UPDATE_COMPLETE');
    expect(await queueVisibility()).toBe('90');
    const childTemplateNow = await emulator.cfn.send(new GetTemplateCommand({ StackName: child }));
    expect(childTemplateNow.TemplateBody).toContain('90');
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
  });

  it('GIVEN the stacks WHEN the same revision is deployed again THEN nothing changes', async () => {
    // Arrange
    const dir = await revision(
      'v2-again',
      'child-v2.yaml',
      childTemplate({ queueName: 'qa-nested-queue', visibility: 90 }),
    );
    // Act
    const { code, summary } = await deployJson(emulator, dir, input);
    // Assess
    expect(code).toBe(0);
    expect(summary.path).toContain('No Changes');
    expect(await changeSetsLeft(emulator.cfn, await childStack())).toBe(0);
  });

  it('GIVEN a nested TemplateURL that is not S3 WHEN deployed THEN the deployment fails naming the URL', async () => {
    // Arrange
    const dir = join(root, 'bad-url');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'template.yaml'),
      parentTemplate('child-v2.yaml').replace(
        `https://${BUCKET}.s3.amazonaws.com/`,
        'https://templates.example.com/',
      ),
    );
    // Act
    const { code, summary } = await deployJson(emulator, dir, input);
    // Assess
    expect(code).toBe(1);
    expect(summary.result).toBe('Failed');
    expect(summary.message).toContain('Create Change Set');
    expect(summary.message).toContain(
      'ValidationError: TemplateURL must be a supported URL: "https://templates.example.com/child-v2.yaml"',
    );
    expect(await queueVisibility()).toBe('90');
  });

  it.each([
    [
      'a resource type that does not exist',
      'child-unknown-type.yaml',
      childTemplate({ queueName: 'qa-nested-queue', visibility: 120 }).replace(
        'AWS::SQS::Queue',
        'AWS::SQS::Queueue',
      ),
      'Unrecognized resource types: [AWS::SQS::Queueue]',
    ],
    ['a template that is not YAML', 'child-not-yaml.yaml', 'Resources: [: oops', 'Template format error'],
  ])(
    'GIVEN the stacks WHEN the nested template has %s THEN the change set ends FAILED, the deployment fails with its reason, and nothing changes',
    async (_what, childKey, child, reason) => {
      // Arrange
      const dir = await revision(childKey, childKey, child);
      const nestedStack = await childStack();
      // Act
      const { code, summary } = await deployJson(emulator, dir, input);
      // Assess: CloudFormation took the request and failed the change set while creating it
      expect(code).toBe(1);
      expect(summary.result).toBe('Failed');
      expect(summary.path).toContain('Get Change Set Status');
      expect(summary.message).toContain(
        'Nested change set for nested stack Child was not successfully created',
      );
      expect(summary.message).toContain(reason);
      expect(summary.message).not.toContain('retried');
      expect(await stackStatus(emulator.cfn, STACK)).toBe('UPDATE_COMPLETE');
      expect(await queueVisibility()).toBe('90');
      expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
      expect(await changeSetsLeft(emulator.cfn, nestedStack)).toBe(0);
    },
  );
});
