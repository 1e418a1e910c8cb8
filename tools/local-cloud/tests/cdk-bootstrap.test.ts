import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListExportsCommand,
  ListImportsCommand,
} from '@aws-sdk/client-cloudformation';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_ASSET_BUCKET, BOOTSTRAP_VERSION, BOOTSTRAP_VERSION_PARAMETER } from '../src/bootstrap.js';
import { startCloudFormationFront } from '../src/cloudformation-front.js';
import { CLOUDFORMATION_STATE_FILE } from '../src/constants.js';
import { deployJson, stackStatus, startTestEmulator, type TestEmulator } from './helpers.js';

/**
 * A CDK app as people write it, synthesized here with the DEFAULT synthesizer and analytics on: a
 * data stack whose table's name the service stack imports (an Export and an Fn::ImportValue), each
 * template with the BootstrapVersion SSM parameter, the CheckBootstrapVersion rule and CDKMetadata.
 */
function synthesize(
  outdir: string,
  options: { withDeadLetters?: boolean; serviceImports?: boolean } = {},
): string {
  const app = new App({ outdir, analyticsReporting: true });
  const data = new Stack(app, 'Data');
  const table = new Table(data, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  const service = new Stack(app, 'Service');
  new StringParameter(service, 'TableName', {
    parameterName: '/service/table-name',
    stringValue: options.serviceImports === false ? 'fixed-name' : table.tableName,
  });
  if (options.withDeadLetters) new Queue(service, 'DeadLetters');
  app.synth();
  return outdir;
}

function input(stackName: 'Data' | 'Service') {
  return { environmentName: 'qa', stackName, templatePath: `${stackName}.template.json` };
}

describe('safe-deploy deploy: templates of CDK’s default synthesizer on the bootstrapped emulator', () => {
  let emulator: TestEmulator;
  let ssm: SSMClient;
  let v1: string;
  let v2: string;
  /** The data stack without its export (the service stack no longer references the table). */
  let dataWithoutExport: string;

  /** A CloudFormation client through a front of the test's own, over the emulator's state file. */
  async function throughFront<T>(use: (cfn: CloudFormationClient) => Promise<T>): Promise<T> {
    const front = await startCloudFormationFront({
      upstream: emulator.endpoint,
      operationMs: 0,
      stateFile: join(emulator.home, CLOUDFORMATION_STATE_FILE),
    });
    try {
      return await use(
        new CloudFormationClient({
          endpoint: front.endpoint,
          region: 'us-east-1',
          credentials: emulator.credentials,
          maxAttempts: 1,
        }),
      );
    } finally {
      await front.close();
    }
  }

  beforeAll(async () => {
    emulator = await startTestEmulator();
    ssm = new SSMClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: emulator.credentials,
    });
    const root = mkdtempSync(join(tmpdir(), 'safe-deploy-cdk-'));
    v1 = synthesize(join(root, 'v1'));
    v2 = synthesize(join(root, 'v2'), { withDeadLetters: true });
    dataWithoutExport = synthesize(join(root, 'v3'), { serviceImports: false });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('GIVEN a started emulator THEN it has the bootstrap asset bucket and version parameter', async () => {
    // Act
    const s3 = new S3Client({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: emulator.credentials,
      forcePathStyle: true,
    });
    const bucket = await s3.send(new HeadBucketCommand({ Bucket: BOOTSTRAP_ASSET_BUCKET }));
    const version = await ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }));
    // Assess
    expect(BOOTSTRAP_ASSET_BUCKET).toBe('cdk-hnb659fds-assets-123456789012-us-east-1');
    expect(bucket.$metadata.httpStatusCode).toBe(200);
    expect(version.Parameter?.Value).toBe(BOOTSTRAP_VERSION);
    // the synthesized template really carries what the emulator must resolve
    const template = JSON.parse(readFileSync(join(v1, 'Service.template.json'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    expect(template.Parameters?.BootstrapVersion).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<String>',
    });
    expect(Object.keys(template.Rules ?? {})).toEqual(['CheckBootstrapVersion']);
    expect(template.Resources?.CDKMetadata).toMatchObject({ Type: 'AWS::CDK::Metadata' });
  });

  it('GIVEN no stacks WHEN the data stack is deployed THEN it is created with its export and the resolved bootstrap version', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, v1, input('Data'));
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      result: 'Succeeded',
      stackName: 'qa-Data',
      stackStatus: 'CREATE_COMPLETE',
    });
    const stack = (await emulator.cfn.send(new DescribeStacksCommand({ StackName: 'qa-Data' }))).Stacks?.[0];
    expect(stack?.Parameters).toEqual([
      expect.objectContaining({ ParameterKey: 'BootstrapVersion', ParameterValue: BOOTSTRAP_VERSION }),
    ]);
    const exported = stack?.Outputs?.find((output) =>
      output.ExportName?.startsWith('Data:ExportsOutputRefTable'),
    );
    expect(exported?.OutputValue).toMatch(/^qa-Data-Table/);
    const exports = await emulator.cfn.send(new ListExportsCommand({}));
    expect(exports.Exports?.map((entry) => entry.Name)).toEqual([exported?.ExportName]);
  });

  it('GIVEN the data stack WHEN the service stack is deployed THEN it imports the table name', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, v1, input('Service'));
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      result: 'Succeeded',
      stackName: 'qa-Service',
      stackStatus: 'CREATE_COMPLETE',
    });
    const data = (await emulator.cfn.send(new DescribeStacksCommand({ StackName: 'qa-Data' }))).Stacks?.[0];
    const tableName = data?.Outputs?.[0]?.OutputValue;
    const imported = await ssm.send(new GetParameterCommand({ Name: '/service/table-name' }));
    expect(imported.Parameter?.Value).toBe(tableName);
  });

  it('GIVEN a bootstrap older than version 6 WHEN the service stack is updated THEN the rule refuses it and nothing changes', async () => {
    // Arrange
    await ssm.send(
      new PutParameterCommand({
        Name: BOOTSTRAP_VERSION_PARAMETER,
        Value: '5',
        Type: 'String',
        Overwrite: true,
      }),
    );
    try {
      // Act
      const { code, summary } = await deployJson(emulator, v2, input('Service'));
      // Assess
      expect(code).toBe(1);
      expect(summary.result).toBe('Failed');
      expect(summary.message).toContain(
        "CDK bootstrap stack version 6 required. Please run 'cdk bootstrap' with a recent version of the CDK CLI.",
      );
      expect(await stackStatus(emulator.cfn, 'qa-Service')).toBe('CREATE_COMPLETE');
      const template = await emulator.cfn.send(new GetTemplateCommand({ StackName: 'qa-Service' }));
      expect(template.TemplateBody).not.toContain('DeadLetters');
    } finally {
      await ssm.send(
        new PutParameterCommand({
          Name: BOOTSTRAP_VERSION_PARAMETER,
          Value: BOOTSTRAP_VERSION,
          Type: 'String',
          Overwrite: true,
        }),
      );
    }
  });

  it('GIVEN an account that was never bootstrapped WHEN a stack is deployed THEN the missing parameter is named', async () => {
    // Arrange
    await ssm.send(new DeleteParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }));
    try {
      // Act
      const { code, summary } = await deployJson(emulator, v2, input('Service'));
      // Assess: only `emulator start` bootstraps; a deploy takes the account as it is
      expect(code).toBe(1);
      expect(summary.message).toContain(
        `Unable to fetch parameters [${BOOTSTRAP_VERSION_PARAMETER}] from parameter store for this account.`,
      );
      expect(await stackStatus(emulator.cfn, 'qa-Service')).toBe('CREATE_COMPLETE');
    } finally {
      await ssm.send(
        new PutParameterCommand({
          Name: BOOTSTRAP_VERSION_PARAMETER,
          Value: BOOTSTRAP_VERSION,
          Type: 'String',
        }),
      );
    }
  });

  it('GIVEN both stacks WHEN the service stack gains a queue THEN the change set is executed in place', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, v2, input('Service'));
    // Assess
    expect(code).toBe(0);
    expect(summary).toMatchObject({
      verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      stackStatus: 'UPDATE_COMPLETE',
    });
    const template = await emulator.cfn.send(new GetTemplateCommand({ StackName: 'qa-Service' }));
    expect(template.TemplateBody).toContain('DeadLetters');
  });

  it('GIVEN the service stack imports the table name WHEN its imports are listed THEN the front names it', async () => {
    // Act
    const [exportName, imports] = await throughFront(async (cfn) => {
      const name = (await cfn.send(new ListExportsCommand({}))).Exports?.[0]?.Name ?? '';
      return [name, await cfn.send(new ListImportsCommand({ ExportName: name }))] as const;
    });
    // Assess
    expect(exportName).toMatch(/^Data:ExportsOutputRefTable/);
    expect(imports.Imports).toEqual(['qa-Service']);
  });

  it('GIVEN an imported export WHEN the data stack is deleted THEN CloudFormation cancels it, naming the importer', async () => {
    // Act
    const stack = await throughFront(async (cfn) => {
      await cfn.send(new DeleteStackCommand({ StackName: 'qa-Data' }));
      return (await cfn.send(new DescribeStacksCommand({ StackName: 'qa-Data' }))).Stacks?.[0];
    });
    // Assess
    expect(stack?.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack?.StackStatusReason).toMatch(
      /^Export Data:ExportsOutputRefTable\w+ cannot be deleted as it is in use by qa-Service$/,
    );
    expect(await stackStatus(emulator.cfn, 'qa-Data')).toBe('CREATE_COMPLETE');
    expect((await emulator.cfn.send(new ListExportsCommand({}))).Exports).toHaveLength(1);
  });

  it('GIVEN an imported export WHEN an update of the data stack removes it THEN the update rolls back and the export stays', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, dataWithoutExport, input('Data'));
    // Assess
    expect(code).toBe(1);
    expect(summary.stackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(summary.message).toMatch(/cannot be deleted as it is in use by qa-Service/);
    const exports = await emulator.cfn.send(new ListExportsCommand({}));
    expect(exports.Exports?.map((entry) => entry.Name)).toEqual([
      expect.stringMatching(/^Data:ExportsOutputRefTable/),
    ]);
  });
});
