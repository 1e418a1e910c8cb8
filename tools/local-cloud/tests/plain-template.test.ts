import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changeSetsLeft,
  cli,
  deployJson,
  stackStatus,
  startTestEmulator,
  type TestEmulator,
} from './helpers.js';

const STACK = 'qa-plain-app';

/** A plain CloudFormation YAML template with SQS, SNS, DynamoDB, SSM and S3 resources. */
function template(options: { visibility?: number; tableName?: string; withTopic?: boolean } = {}): string {
  const topic = options.withTopic ?? true;
  return `AWSTemplateFormatVersion: '2010-09-09'
Description: plain template deployed through safe-deploy
Parameters:
  environmentName:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: ${options.visibility ?? 30}
${
  topic
    ? `  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub '\${environmentName} notices'
`
    : ''
}  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${options.tableName ?? 'qa-plain-table'}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  Setting:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub '/\${AWS::StackName}/queue-arn'
      Type: String
      Value: !GetAtt Queue.Arn
  Bucket:
    Type: AWS::S3::Bucket
Outputs:
  QueueUrl:
    Value: !Ref Queue
`;
}

function source(root: string, name: string, body: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'template.yaml'), body);
  return dir;
}

function input(fields: Record<string, unknown> = {}) {
  return {
    environmentName: 'qa',
    stackName: 'plain-app',
    templatePath: 'template.yaml',
    parameters: { environmentName: 'qa' },
    ...fields,
  };
}

async function resourceIds(
  emulator: TestEmulator,
  stackName = STACK,
): Promise<Record<string, string | undefined>> {
  const answer = await emulator.cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  return Object.fromEntries(
    (answer.StackResources ?? []).map((r) => [r.LogicalResourceId ?? '', r.PhysicalResourceId]),
  );
}

describe('safe-deploy deploy: a plain CloudFormation YAML template (SQS, SNS, DynamoDB, SSM, S3)', () => {
  let emulator: TestEmulator;
  let root: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    root = mkdtempSync(join(tmpdir(), 'safe-deploy-plain-'));
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('GIVEN no stack WHEN deployed THEN every resource is created', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, source(root, 'v1', template()), input());
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({ result: 'Succeeded', stackName: STACK, stackStatus: 'CREATE_COMPLETE' });
    expect(Object.keys(await resourceIds(emulator)).sort()).toEqual([
      'Bucket',
      'Queue',
      'Setting',
      'Table',
      'Topic',
    ]);
  });

  it('GIVEN the stack WHEN the queue visibility changes THEN it is updated in place', async () => {
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(root, 'v2', template({ visibility: 60 })),
      input(),
    );
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      stackStatus: 'UPDATE_COMPLETE',
    });
    // the queue itself, read back from moto, has the new value
    // (moto answers for every queue URL: the client must not send to the URL's AWS host)
    const sqs = new SQSClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: emulator.credentials,
      useQueueUrlAsEndpoint: false,
    });
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: (await resourceIds(emulator)).Queue,
        AttributeNames: ['VisibilityTimeout'],
      }),
    );
    expect(attributes.Attributes?.VisibilityTimeout).toBe('60');
  });

  it('GIVEN the stack WHEN the table is renamed (a replacement) THEN it is refused and the table is kept', async () => {
    // Prepare
    const before = await resourceIds(emulator);
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(root, 'rename', template({ visibility: 60, tableName: 'qa-renamed' })),
      input(),
    );
    // Assess
    expect(code).toBe(1);
    expect(summary).toMatchObject({ result: 'Failed', verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED' });
    expect(summary.message).toContain('Table');
    expect(await resourceIds(emulator)).toEqual(before);
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
  });

  it('GIVEN the stack WHEN the topic is removed THEN it is refused and the topic is kept', async () => {
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(root, 'no-topic', template({ visibility: 60, withTopic: false })),
      input(),
    );
    // Assess
    expect(code).toBe(1);
    expect(summary.message).toMatch(/Topic/);
    expect(Object.keys(await resourceIds(emulator))).toContain('Topic');
  });

  it('GIVEN the same version WHEN deployed again THEN nothing changes', async () => {
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(root, 'v2-again', template({ visibility: 60 })),
      input(),
    );
    // Assess
    expect(code).toBe(0);
    expect(summary.path).toContain('No Changes');
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
  });

  it("GIVEN the input's policy allows removing topics WHEN the topic is removed THEN it passes and the topic is gone", async () => {
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(root, 'no-topic-allowed', template({ visibility: 60, withTopic: false })),
      input({ policy: { version: 1, allow: [{ resourceType: 'AWS::SNS::Topic', actions: ['Remove'] }] } }),
    );
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      stackStatus: 'UPDATE_COMPLETE',
    });
    expect(Object.keys(await resourceIds(emulator))).not.toContain('Topic');
  });

  it('GIVEN blue/green WHEN the table is renamed THEN a new stack holds the new table and the old stack keeps its own', async () => {
    // Prepare
    const before = await resourceIds(emulator);
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(
        root,
        'rename-bg',
        template({ visibility: 60, withTopic: false, tableName: 'qa-plain-table-green' }),
      ),
      input({ onUnsafeChange: 'blue-green' }),
    );
    // Assess
    expect(code).toBe(0);
    expect(summary.stackName).toMatch(/^qa-plain-app-bg-/);
    expect(await stackStatus(emulator.cfn, summary.stackName)).toBe('CREATE_COMPLETE');
    expect((await resourceIds(emulator, summary.stackName)).Table).toBe('qa-plain-table-green');
    expect(await resourceIds(emulator)).toEqual(before);
  });

  it('GIVEN an SSM parameter without a Name (AWS generates one) WHEN created, changed and redeployed THEN create, update and no-op all work', async () => {
    // Prepare: moto cannot create an unnamed parameter; the emulator gives it the name AWS would.
    const unnamed = (value: string) => `Resources:
  Unnamed:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: ${value}
`;
    const fields = { stackName: 'unnamed-ssm', parameters: {} };
    // Act
    const created = await deployJson(emulator, source(root, 'ssm-v1', unnamed('one')), input(fields));
    const updated = await deployJson(emulator, source(root, 'ssm-v2', unnamed('two')), input(fields));
    const again = await deployJson(emulator, source(root, 'ssm-v3', unnamed('two')), input(fields));
    // Assess
    expect(created.summary).toMatchObject({ result: 'Succeeded', stackStatus: 'CREATE_COMPLETE' });
    expect(updated.summary).toMatchObject({
      result: 'Succeeded',
      verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      stackStatus: 'UPDATE_COMPLETE',
    });
    expect(again.summary).toMatchObject({ result: 'Succeeded' });
    expect(again.summary.path).toContain('Delete No-op Change Set');
    // the parameter itself, read back from moto under the name it was given, holds the new value
    const ssm = new SSMClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: emulator.credentials,
    });
    const name = (await resourceIds(emulator, updated.summary.stackName)).Unnamed;
    expect(name).toBe('qa-unnamed-ssm-Unnamed');
    const parameter = await ssm.send(new GetParameterCommand({ Name: name }));
    expect(parameter.Parameter?.Value).toBe('two');
  });

  it('GIVEN a malformed input file WHEN deployed THEN the pipeline action fails (exit 1) and no execution starts', async () => {
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(root, 'v2-bad', template()),
      '{"environmentName": "qa", "stackName": ',
    );
    // Assess
    expect(code).toBe(1);
    expect(summary).toMatchObject({ result: 'Failed', executionStatus: 'NOT_STARTED', path: [] });
    expect(summary.message).toMatch(/not JSON/);
  });

  it('GIVEN an input with an unknown field WHEN deployed THEN the failure names the field (exit 1)', async () => {
    // Act
    const { code, summary } = await deployJson(
      emulator,
      source(root, 'v2-unknown', template()),
      input({ colour: 'blue' }),
    );
    // Assess
    expect(code).toBe(1);
    expect(summary.message).toContain('colour');
  });

  it("GIVEN text output WHEN deploying THEN each state is shown entered and left with its duration, and nothing of the functions' logs", async () => {
    // Prepare
    const inputFile = join(root, 'text-input.json');
    writeFileSync(inputFile, JSON.stringify(input()));
    // Act
    const run = await cli(
      ['deploy', '--source', source(root, 'v2-text', template({ visibility: 60 })), '--input', inputFile],
      emulator.home,
    );
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('→ Check Stack Existence');
    expect(run.stdout).toMatch(/← Check Stack Existence \(\d+(\.\d+)? m?s\)/);
    expect(run.stdout).toMatch(/^Succeeded: /m);
    expect(run.stdout).toMatch(/^Stack qa-plain-app: (CREATE|UPDATE)_COMPLETE; execution SUCCEEDED$/m);
    expect(run.stdout).not.toMatch(/"level":|NodeVersionSupportWarning|task started/);
    expect(run.stderr).toBe('');
  });

  it.each([
    [[], 'no command given'],
    [['deploy', '--source', '.'], 'deploy needs --source DIR and --input FILE'],
    [['deploy', '--source', '/nonexistent/dir', '--input', '/etc/hostname'], 'is not a directory'],
    [['deploy', '--bogus'], "Unknown option '--bogus'"],
    [['emulator', 'restart'], 'unknown emulator command'],
  ])(
    'GIVEN the usage %j WHEN run THEN it exits 2 with the reason on stderr and nothing on stdout',
    async (args, reason) => {
      // Act
      const run = await cli(args, emulator.home);
      // Assess
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(reason);
      expect(run.stdout).toBe('');
    },
  );

  it('GIVEN no running emulator WHEN deploying THEN it exits 2 and says how to start one', async () => {
    // Prepare
    const home = mkdtempSync(join(tmpdir(), 'safe-deploy-none-'));
    // Act
    const run = await cli(
      ['deploy', '--source', root, '--input', join(root, 'text-input.json'), '--json'],
      home,
    );
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('emulator start');
    expect(run.stdout).toBe('');
  });

  it('GIVEN the emulator WHEN its status is asked THEN it answers running', async () => {
    // Act
    const run = await cli(['emulator', 'status'], emulator.home);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`running: moto at ${emulator.endpoint}`);
  });
});
