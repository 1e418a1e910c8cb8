import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_STACK_ID, SERVICE_STACK_ID } from '../src/app.js';
import { LIFE_CYCLE, VARIANTS } from '../src/variants.js';
import { differences, removeOutdirs, type Synthesized, synthesized, type TemplateJson } from './support.js';

let base: Synthesized;
let data: TemplateJson;
let service: TemplateJson;

beforeAll(async () => {
  base = await synthesized('base');
  data = base.templates[DATA_STACK_ID] as TemplateJson;
  service = base.templates[SERVICE_STACK_ID] as TemplateJson;
});
afterAll(removeOutdirs);

const ofType = (template: TemplateJson, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

describe.each([DATA_STACK_ID, SERVICE_STACK_ID])("CDK's defaults in %s", (id) => {
  it('has the BootstrapVersion parameter from SSM and the CheckBootstrapVersion rule', () => {
    // GIVEN / WHEN
    const template = base.templates[id] as TemplateJson;

    // THEN
    expect(template.Parameters?.BootstrapVersion).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/cdk-bootstrap/hnb659fds/version',
    });
    expect(template.Rules?.CheckBootstrapVersion).toMatchObject({
      Assertions: [{ AssertDescription: expect.stringContaining('cdk bootstrap') }],
    });
  });

  it('has AWS::CDK::Metadata with its analytics, in the regions where it is available', () => {
    // GIVEN / WHEN
    const template = base.templates[id] as TemplateJson;

    // THEN
    expect(template.Resources.CDKMetadata).toMatchObject({
      Type: 'AWS::CDK::Metadata',
      Properties: { Analytics: expect.stringMatching(/^v2:deflate64:/) },
      Condition: 'CDKMetadataAvailable',
    });
    expect(template.Conditions?.CDKMetadataAvailable).toBeDefined();
  });
});

describe('the data stack', () => {
  it('is one DynamoDB table keyed by the string "id", on demand, with point-in-time recovery, retained', () => {
    // GIVEN / WHEN
    const tables = ofType(data, 'AWS::DynamoDB::Table');

    // THEN
    expect(tables).toHaveLength(1);
    const [, table] = tables[0] ?? [];
    expect(table).toMatchObject({
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
    expect(table?.Properties?.TableName).toBeUndefined();
    expect(Object.keys(data.Resources).sort()).toEqual(['CDKMetadata', tables[0]?.[0]].sort());
  });

  it('exports the table name and ARN under names derived from its stack name; has no environmentName parameter', () => {
    // GIVEN / WHEN
    const exports = Object.values(data.Outputs ?? {}).flatMap((output) => output.Export?.Name ?? []);

    // THEN
    expect(exports).toHaveLength(2);
    for (const name of exports) expect(name).toMatch(/^prod-sample-data:ExportsOutput/);
    expect(Object.keys(data.Parameters ?? {})).toEqual(['BootstrapVersion']);
  });
});

describe('the service stack', () => {
  it('has the function with its code as a file asset in the bootstrap bucket, on nodejs24.x', () => {
    // GIVEN
    const functions = ofType(service, 'AWS::Lambda::Function');

    // WHEN
    const [, fn] = functions[0] ?? [];

    // THEN
    expect(functions).toHaveLength(1);
    expect(fn?.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Code: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
        S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
        S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/),
      },
    });
    expect(fn?.Properties?.FunctionName).toBeUndefined();
    expect(JSON.stringify(service)).not.toContain('ZipFile');
  });

  it("reads the data stack's table through imports of exactly its exports: the name and a GetItem grant", () => {
    // GIVEN
    const exported = new Set(
      Object.values(data.Outputs ?? {}).flatMap((output) => output.Export?.Name ?? []),
    );
    const [, fn] = ofType(service, 'AWS::Lambda::Function')[0] ?? [];
    const policies = ofType(service, 'AWS::IAM::Policy');

    // WHEN
    const imported = new Set(
      [...JSON.stringify(service).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]),
    );

    // THEN
    expect(imported).toEqual(exported);
    expect(fn?.Properties?.Environment).toMatchObject({
      Variables: {
        TABLE_NAME: { 'Fn::ImportValue': expect.stringMatching(/^prod-sample-data:ExportsOutputRef/) },
        ENVIRONMENT_NAME: { Ref: 'environmentName' },
      },
    });
    expect(policies).toHaveLength(1);
    expect(policies[0]?.[1].Properties?.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'dynamodb:GetItem',
          Effect: 'Allow',
          Resource: [
            { 'Fn::ImportValue': expect.stringMatching(/^prod-sample-data:ExportsOutputFnGetAtt.*Arn/) },
          ],
        },
      ],
    });
  });

  it('has the environmentName parameter besides BootstrapVersion', () => {
    expect(Object.keys(service.Parameters ?? {}).sort()).toEqual(['BootstrapVersion', 'environmentName']);
  });

  it('has no log group of its own in base (the new resource of code-change)', () => {
    expect(ofType(service, 'AWS::Logs::LogGroup')).toEqual([]);
  });
});

describe('the variants, as the demo deploys them one after the other', () => {
  let codeChange: Synthesized;
  let codeChangeAgain: Synthesized;
  let tableKeyChange: Synthesized;
  let metadataOnly: Synthesized;
  const functionKey = (assembly: Synthesized): unknown => {
    const template = assembly.templates[SERVICE_STACK_ID] as TemplateJson;
    const [, fn] = ofType(template, 'AWS::Lambda::Function')[0] ?? [];
    return (fn?.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
  };

  beforeAll(async () => {
    codeChange = await synthesized('code-change');
    codeChangeAgain = await synthesized('code-change');
    tableKeyChange = await synthesized('table-key-change');
    metadataOnly = await synthesized('metadata-only');
  });

  it('code-change: a new asset hash, the new log group and the function using it; the data stack is unchanged', () => {
    // GIVEN / WHEN
    const serviceChanges = differences(service, codeChange.templates[SERVICE_STACK_ID]);
    const [logGroupId] =
      ofType(codeChange.templates[SERVICE_STACK_ID] as TemplateJson, 'AWS::Logs::LogGroup')[0] ?? [];

    // THEN
    expect(functionKey(codeChange)).not.toEqual(functionKey(base));
    expect(differences(data, codeChange.templates[DATA_STACK_ID])).toEqual([]);
    expect(serviceChanges).toEqual(
      [
        '/Resources/CDKMetadata/Properties/Analytics',
        '/Resources/Function76856677/Metadata/aws:asset:path',
        '/Resources/Function76856677/Properties/Code/S3Key',
        '/Resources/Function76856677/Properties/LoggingConfig',
        `/Resources/${logGroupId}`,
      ].sort(),
    );
  });

  it('the life cycle goes through every variant, starting with base and deploying code-change again', () => {
    expect(new Set(LIFE_CYCLE)).toEqual(new Set(VARIANTS));
    expect(LIFE_CYCLE[0]).toBe('base');
    expect(LIFE_CYCLE.indexOf('code-change')).toBeLessThan(LIFE_CYCLE.lastIndexOf('code-change'));
  });

  it('code-change synthesized twice: the same templates, the same asset hash', () => {
    expect(functionKey(codeChangeAgain)).toEqual(functionKey(codeChange));
    expect(codeChangeAgain.templates).toEqual(codeChange.templates);
  });

  it("table-key-change: only the table's partition key differs from code-change", () => {
    // GIVEN
    const [tableId] = ofType(data, 'AWS::DynamoDB::Table')[0] ?? [];

    // WHEN
    const dataChanges = differences(
      codeChange.templates[DATA_STACK_ID],
      tableKeyChange.templates[DATA_STACK_ID],
    );

    // THEN
    expect(dataChanges).toEqual([
      `/Resources/${tableId}/Properties/AttributeDefinitions/0/AttributeName`,
      `/Resources/${tableId}/Properties/KeySchema/0/AttributeName`,
    ]);
    expect(
      (tableKeyChange.templates[DATA_STACK_ID] as TemplateJson).Resources[tableId ?? '']?.Properties
        ?.KeySchema,
    ).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(
      differences(codeChange.templates[SERVICE_STACK_ID], tableKeyChange.templates[SERVICE_STACK_ID]),
    ).toEqual([]);
  });

  it('metadata-only: only the CDKMetadata analytics differ from code-change, in both stacks', () => {
    for (const id of [DATA_STACK_ID, SERVICE_STACK_ID]) {
      expect(differences(codeChange.templates[id], metadataOnly.templates[id]), id).toEqual([
        '/Resources/CDKMetadata/Properties/Analytics',
      ]);
    }
    expect(functionKey(metadataOnly)).toEqual(functionKey(codeChange));
  });
});
