import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createApp,
  DEFAULT_PARAMETER_NAME,
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  nagAcknowledgements,
  placeholderFunctionCode,
  STACK_NAME,
  StateMachineStack,
  TASK_STATES,
  unexplainedAcknowledgements,
} from '../src/index.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

describe('StateMachineStack template', () => {
  let template: Template;
  let artifact: CloudFormationStackArtifact;

  beforeAll(() => {
    // GIVEN the app with cdk-nag's AwsSolutions checks (a finding without acknowledgement fails synthesis)
    const { app } = createApp({
      appProps: { builtinCloudFormationValidation: false },
      stackProps: { functionCode: placeholderFunctionCode },
    });
    // WHEN it is synthesized
    artifact = app.synth().getStackByName(STACK_NAME);
    template = Template.fromJSON(artifact.template as Record<string, unknown>);
  });

  it('THEN cdk-nag reports no unacknowledged finding and every acknowledgement has a written reason', () => {
    // Assess: synthesis succeeded (beforeAll); each acknowledgement is stored as { ruleId: reason }
    const acknowledgements = nagAcknowledgements(artifact);
    expect(new Set(acknowledgements.map((a) => a.ruleId.replace(/\[.*$/, '')))).toEqual(
      new Set([
        'Annotation::AwsSolutions-L1',
        'Annotation::AwsSolutions-IAM5',
        'Annotation::AwsSolutions-S1',
      ]),
    );
    expect(unexplainedAcknowledgements(artifact)).toEqual([]);
  });

  it('GIVEN acknowledgements without a written reason WHEN checked THEN each is named', () => {
    const metadata = {
      '/Stack/Role': [
        { type: 'aws:cdk:acknowledged-rules', data: { 'Annotation::AwsSolutions-IAM5': '' } },
        { type: 'aws:cdk:acknowledged-rules', data: { 'Annotation::AwsSolutions-L1': 'n/a' } },
        { type: 'aws:cdk:logicalId', data: 'Role' },
      ],
      '/Stack/Bucket': [
        {
          type: 'aws:cdk:acknowledged-rules',
          data: {
            'Annotation::AwsSolutions-S1':
              'Transient copies of templates that are in the artifact bucket too.',
          },
        },
      ],
    };
    expect(unexplainedAcknowledgements({ metadata })).toEqual([
      '/Stack/Role Annotation::AwsSolutions-IAM5',
      '/Stack/Role Annotation::AwsSolutions-L1',
    ]);
  });

  it('GIVEN a finding nobody acknowledged WHEN the app is synthesized THEN synthesis stops and names it', () => {
    // Prepare: the same app, plus a bucket without access logs or an SSL-only policy
    const { app, stack } = createApp({
      appProps: { builtinCloudFormationValidation: false },
      stackProps: { functionCode: placeholderFunctionCode },
    });
    new Bucket(stack, 'UnacknowledgedBucket');
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });

  it('THEN there is one function per task package, nodejs22.x on arm64, with only the settings it reads', () => {
    template.resourceCountIs('AWS::Lambda::Function', FUNCTION_NAMES.length);
    for (const name of FUNCTION_NAMES) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: FUNCTION_SPECS[name].timeoutSeconds,
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: `cfn-safe-deploy-${name}`,
            ...(FUNCTION_SPECS[name].passesExecutionRole
              ? {
                  CFN_EXECUTION_ROLE_ARN: {
                    'Fn::GetAtt': [Match.stringLikeRegexp('^CloudFormationExecutionRole'), 'Arn'],
                  },
                }
              : {}),
            ...(FUNCTION_SPECS[name].stagesTemplates
              ? { TEMPLATE_BUCKET: { Ref: Match.stringLikeRegexp('^TemplateBucket') } }
              : {}),
          },
        },
      });
    }
  });

  it('THEN the state machine is Standard, logs ALL events to CloudWatch Logs, traces, and has no unbounded execution', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployStateMachineLogs'), 'Arn'] },
            },
          },
        ],
      },
    });
    const definition = definitionOf(template);
    expect(definition.TimeoutSeconds).toBe(4 * 60 * 60);
  });

  it('THEN every Task retries transient errors with full jitter and catches everything into the failure path', () => {
    const definition = definitionOf(template);
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual(Object.keys(TASK_STATES).sort());
    for (const [name, state] of tasks) {
      // The literal list: the code's RETRYABLE_ERRORS must not drift from what the README promises.
      expect(state.Retry, name).toEqual([
        {
          ErrorEquals: [
            'RetryableError',
            'Lambda.ServiceException',
            'Lambda.AWSLambdaException',
            'Lambda.SdkClientException',
            'Lambda.TooManyRequestsException',
            'Lambda.Unknown',
            'Runtime.ExitError',
            'Sandbox.Timedout',
          ],
          IntervalSeconds: 2,
          MaxAttempts: 4,
          BackoffRate: 2,
          MaxDelaySeconds: 30,
          JitterStrategy: 'FULL',
        },
      ]);
      // The clean-up of a change set keeps the failure already decided: its own error goes aside.
      const expectedCatch =
        name === 'Delete Failed Change Set'
          ? { ErrorEquals: ['States.ALL'], ResultPath: '$.changeSetCleanupError', Next: 'Describe Failure' }
          : { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: `${name} Errored` };
      expect(state.Catch, name).toEqual([expectedCatch]);
      expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    }
  });

  it('THEN the ARN is in an SSM parameter and a stack output', () => {
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: DEFAULT_PARAMETER_NAME,
      Type: 'String',
      Value: { Ref: Match.stringLikeRegexp('^DeployStateMachine') },
    });
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.stringLikeRegexp('^DeployStateMachine') } });
  });

  it('THEN the template bucket is encrypted, private, SSL only and expires its objects', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 7, Status: 'Enabled' })]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('THEN no IAM statement allows a "*" action, and each function role has only its CloudFormation actions', () => {
    const resources = template.toJSON().Resources as Resources;
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(
        (r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      );
    for (const statement of statements) {
      for (const action of [statement.Action].flat())
        expect(action === '*' || action.endsWith(':*')).toBe(false);
    }
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTION_SPECS[name];
      const policy = policyOfRole(resources, `${pascal(name)}Role`);
      const cfn = policy.filter((s) => s.Sid === 'CloudFormation');
      if (spec.cloudFormationActions.length === 0) {
        expect(cfn).toEqual([]);
        expect(JSON.stringify(policy)).not.toContain('cloudformation:');
      } else {
        expect(cfn.map((s) => s.Action)).toEqual([
          spec.cloudFormationActions.length === 1
            ? spec.cloudFormationActions[0]
            : [...spec.cloudFormationActions],
        ]);
        expect(JSON.stringify(cfn[0]?.Resource)).toContain(':stack/prod-*/*');
      }
      expect(policy.some((s) => s.Sid === 'PassExecutionRole')).toBe(spec.passesExecutionRole);
      expect(policy.some((s) => s.Sid === 'ReadArtifacts')).toBe(spec.readsArtifacts);
      expect(policy.some((s) => s.Sid === 'StageTemplates')).toBe(spec.stagesTemplates);
      expect(policy.some((s) => s.Sid === 'ReadStagedTemplates')).toBe(spec.passesStagedTemplates);
      for (const staged of policy.filter(
        (s) => s.Sid === 'StageTemplates' || s.Sid === 'ReadStagedTemplates',
      )) {
        expect(staged.Action).toBe(staged.Sid === 'StageTemplates' ? 's3:PutObject' : 's3:GetObject');
        expect(JSON.stringify(staged.Resource)).toContain('/templates/*');
      }
    }
  });

  it('THEN iam:PassRole names only the CloudFormation execution role, for CloudFormation', () => {
    const resources = template.toJSON().Resources as Resources;
    const passRole = Object.entries(resources)
      .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && !id.startsWith('CloudFormationExecutionRole'))
      .flatMap(([, r]) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole.length).toBe(Object.values(FUNCTION_SPECS).filter((s) => s.passesExecutionRole).length);
    for (const statement of passRole) {
      expect(statement.Resource).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^CloudFormationExecutionRole/), 'Arn'],
      });
      expect(statement.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
      });
    }
  });

  it('THEN what a template can deploy is bounded by the execution role: Lambda functions, roles, log groups and DynamoDB tables named <env>-* only, code read from the asset bucket', () => {
    const statements = policyOfRole(template.toJSON().Resources as Resources, 'CloudFormationExecutionRole');
    expect(statements.map((s) => s.Sid).sort()).toEqual([
      'DynamoDBTables',
      'LambdaFunctions',
      'LambdaRoles',
      'LogGroups',
      'PassLambdaRoles',
      'ReadFileAssets',
    ]);
    for (const statement of statements.filter((s) => s.Sid !== 'ReadFileAssets')) {
      expect(statement.Effect).toBe('Allow');
      for (const action of [statement.Action].flat())
        expect(action).toMatch(/^(lambda|iam|logs|dynamodb):[A-Za-z]+$/);
      const resources = [statement.Resource].flat();
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources) {
        expect(JSON.stringify(resource)).toMatch(/[:/](dev|test|prod)-\*"/);
      }
    }
    const passRole = statements.find((s) => s.Sid === 'PassLambdaRoles');
    expect(passRole?.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
    // only reading, only the bootstrap's asset bucket of this account and region
    const assets = statements.find((s) => s.Sid === 'ReadFileAssets');
    expect(assets?.Action).toBe('s3:GetObject');
    expect(JSON.stringify(assets?.Resource)).toMatch(
      /:s3:::cdk-hnb659fds-assets-",\{"Ref":"AWS::AccountId"\},"-",\{"Ref":"AWS::Region"\},"\/\*"/,
    );
  });

  it('THEN the execution role is assumed by CloudFormation only', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })],
      },
    });
  });
});

describe('StateMachineStack function code', () => {
  it('THEN each function deploys its built bundle and source map, never the esbuild metafile', () => {
    // GIVEN the app with the built bundles (the test target builds the function packages first)
    const outdir = mkdtempSync(join(tmpdir(), 'state-machine-assets-'));
    try {
      const { app } = createApp({ nag: false, appProps: { outdir, builtinCloudFormationValidation: false } });
      // WHEN it is synthesized
      const artifact = app.synth().getStackByName(STACK_NAME);
      // THEN every function's staged asset folder holds exactly the bundle and its map
      const functions = Object.values(artifact.template.Resources as Resources).filter(
        (resource) => resource.Type === 'AWS::Lambda::Function',
      );
      expect(functions).toHaveLength(FUNCTION_NAMES.length);
      for (const fn of functions) {
        // the zip of a file asset is named after its hash, and staged as asset.<hash>
        const key = String((fn.Properties.Code as { S3Key?: unknown }).S3Key);
        expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
        const staged = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
        expect(readdirSync(staged).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      }
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('StateMachineStack props', () => {
  it('GIVEN an invalid environment name WHEN the stack is built THEN it says which value is wrong', () => {
    const { app } = createApp({ nag: false, stackProps: { functionCode: placeholderFunctionCode } });
    expect(
      () =>
        new StateMachineStack(app, 'Other', {
          environmentNames: ['prod/*'],
          functionCode: placeholderFunctionCode,
        }),
    ).toThrow(/environmentNames .* got \["prod\/\*"\]/);
  });

  it('GIVEN artifactBucketNames "*" WHEN the stack is built THEN it is refused', () => {
    const { app } = createApp({ nag: false, stackProps: { functionCode: placeholderFunctionCode } });
    expect(
      () =>
        new StateMachineStack(app, 'Other', {
          artifactBucketNames: ['*'],
          functionCode: placeholderFunctionCode,
        }),
    ).toThrow(/artifactBucketNames/);
  });
});

interface Statement {
  Sid?: string;
  Effect?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function policyOfRole(resources: Resources, rolePrefix: string): Statement[] {
  const entry = Object.entries(resources).find(
    ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(`${rolePrefix}DefaultPolicy`),
  );
  if (!entry) throw new Error(`no default policy for ${rolePrefix}`);
  return (entry[1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
}

interface State {
  Type: string;
  Retry?: unknown;
  Catch?: unknown;
  TimeoutSeconds?: number;
}

function definitionOf(template: Template): { TimeoutSeconds?: number; States: Record<string, State> } {
  const machines = template.findResources('AWS::StepFunctions::StateMachine');
  const machine = Object.values(machines)[0] as {
    Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } };
  };
  const text = machine.Properties.DefinitionString['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : '"fn"'))
    .join('');
  return JSON.parse(text.replace(/""fn""/g, '"fn"')) as {
    TimeoutSeconds?: number;
    States: Record<string, State>;
  };
}
