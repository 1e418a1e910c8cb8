import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_PARAMETER_NAME,
  nagAcknowledgements,
  unexplainedAcknowledgements,
} from '@cfn-safe-deploy/state-machine';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { DEFAULT_INPUT_FILE, INPUT_FILE_KEY, PipelineStack } from '../src/stack.js';

const CONNECTION_ARN =
  'arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';
const outdirs: string[] = [];

function stackWith(context: Record<string, string> = {}): PipelineStack {
  return createApp({ appProps: { context }, nag: false }).stack;
}

function templateWith(context: Record<string, string> = {}): Template {
  return Template.fromStack(stackWith(context));
}

function logicalId(stack: PipelineStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.resolve((construct.node.defaultChild as { logicalId: string }).logicalId) as string;
}

afterEach(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the pipeline', () => {
  it('is a V2 pipeline with the stages Source, Build and Prod, queued', () => {
    // GIVEN / WHEN
    const template = templateWith();

    // THEN
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      ExecutionMode: 'QUEUED',
      Stages: [
        Match.objectLike({ Name: 'Source' }),
        Match.objectLike({ Name: 'Build' }),
        Match.objectLike({ Name: 'Prod' }),
      ],
    });
  });

  it("invokes the Trigger in the Prod stage with the blog's UserParameters and the build output", () => {
    // GIVEN
    const stack = stackWith();

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        {
          Name: 'Prod',
          Actions: [
            Match.objectLike({
              Name: 'Deploy',
              ActionTypeId: { Category: 'Invoke', Owner: 'AWS', Provider: 'Lambda', Version: '1' },
              InputArtifacts: [{ Name: 'Template' }],
              Configuration: {
                FunctionName: { Ref: logicalId(stack, stack.trigger) },
                UserParameters: {
                  'Fn::Join': [
                    '',
                    [
                      '{"s3Bucket":"',
                      { Ref: logicalId(stack, stack.inputBucket) },
                      `","stateMachineFile":"${INPUT_FILE_KEY}"}`,
                    ],
                  ],
                },
              },
            }),
          ],
        },
      ]),
    });
  });

  it("builds with the repository's buildspec.yml, checks off, no deployment", () => {
    // GIVEN / WHEN
    const template = templateWith();

    // THEN
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'CODEPIPELINE', BuildSpec: 'buildspec.yml' },
      Environment: Match.objectLike({
        EnvironmentVariables: [
          { Name: 'CHECKS', Type: 'PLAINTEXT', Value: 'none' },
          { Name: 'DEPLOY_APP', Type: 'PLAINTEXT', Value: '' },
        ],
      }),
    });
  });

  it('puts the state machine input file in the input bucket', () => {
    // GIVEN
    const stack = stackWith();

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(stack, stack.inputBucket) },
      Prune: false,
    });
    // the whole sample app: its cloud assembly, both stacks, as the build stage hands it on
    expect(DEFAULT_INPUT_FILE).toEqual({
      environmentName: 'prod',
      cloudAssembly: 'cdk.out',
      capabilities: ['CAPABILITY_IAM'],
      onUnsafeChange: 'fail',
    });
  });

  it.each([
    [
      { ...DEFAULT_INPUT_FILE, onUnsafeChange: 'blue-green' as const },
      /onUnsafeChange: "blue-green" is not supported/,
    ],
    [
      {
        environmentName: 'prod',
        stackName: 'app',
        templatePath: 'a.json',
        onUnsafeChange: 'sideways' as never,
      },
      /onUnsafeChange/,
    ],
  ])('refuses an input file the Trigger would refuse (%#), naming the field', (inputFile, message) => {
    expect(() => createApp({ nag: false, stackProps: { inputFile } })).toThrow(message);
  });

  it('refuses an invalid input file at synthesis, naming the field', () => {
    // GIVEN
    const app = () =>
      createApp({
        nag: false,
        stackProps: { inputFile: { ...DEFAULT_INPUT_FILE, environmentName: 'prod env' } },
      });

    // WHEN / THEN
    expect(app).toThrow(/environmentName: must be a letter/);
  });
});

describe('the buckets', () => {
  it.each(['ArtifactBucket', 'InputBucket'] as const)(
    '%s is encrypted, private, versioned and logged',
    (id) => {
      // GIVEN
      const stack = stackWith();
      const bucket = id === 'ArtifactBucket' ? stack.artifactBucket : stack.inputBucket;

      // WHEN
      const template = Template.fromStack(stack);

      // THEN
      const resource = template.findResources('AWS::S3::Bucket')[logicalId(stack, bucket)];
      expect(resource?.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(stack, stack.accessLogsBucket) } },
      });
    },
  );

  it.each(['ArtifactBucket', 'InputBucket', 'AccessLogsBucket'] as const)(
    '%s accepts SSL requests only',
    (id) => {
      // GIVEN
      const stack = stackWith();
      const bucket = {
        ArtifactBucket: stack.artifactBucket,
        InputBucket: stack.inputBucket,
        AccessLogsBucket: stack.accessLogsBucket,
      }[id];

      // WHEN
      const template = Template.fromStack(stack);

      // THEN
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(stack, bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Effect: 'Deny',
            }),
          ]),
        },
      });
    },
  );

  it("names the artifact bucket codepipeline-… so the state machine's task functions may read revisions", () => {
    // GIVEN
    const stack = stackWith();

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    const resource = template.findResources('AWS::S3::Bucket')[logicalId(stack, stack.artifactBucket)];
    expect(resource?.Properties.BucketName).toEqual({
      'Fn::Join': [
        '',
        ['codepipeline-', { Ref: 'AWS::Region' }, '-', { Ref: 'AWS::AccountId' }, '-cfn-safe-deploy'],
      ],
    });
  });
});

describe('the Trigger function', () => {
  it('gets the state machine ARN from the SSM parameter of the state machine app', () => {
    // GIVEN
    const stack = stackWith();

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    const parameters = template.findParameters('*', {
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: DEFAULT_PARAMETER_NAME,
    });
    const [parameter] = Object.keys(parameters);
    expect(parameter).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Environment: { Variables: Match.objectLike({ STATE_MACHINE_ARN: { Ref: parameter } }) },
    });
  });

  it('reads another parameter when the context names one', () => {
    // GIVEN / WHEN
    const template = templateWith({
      stateMachineArnParameterName: '/cfn-safe-deploy/prod/state-machine-arn',
    });

    // THEN
    expect(
      Object.keys(template.findParameters('*', { Default: '/cfn-safe-deploy/prod/state-machine-arn' })),
    ).toHaveLength(1);
  });

  it('lets the Trigger delete change sets on the stacks of the environments the context names', () => {
    // GIVEN / WHEN
    const template = templateWith({ environmentNames: 'staging, live' });

    // THEN
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string; Resource: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    );
    const resources = JSON.stringify(
      statements.find((statement) => statement.Sid === 'DeleteAbandonedChangeSets')?.Resource,
    );
    expect(resources).toContain(':stack/staging-*/*');
    expect(resources).toContain(':changeSet/live-*/*');
    expect(resources).not.toContain('prod-');
  });

  it('may do exactly what it needs, on exactly what it touches', () => {
    // GIVEN
    const stack = stackWith();
    const parameter = Object.keys(
      Template.fromStack(stack).findParameters('*', { Default: DEFAULT_PARAMETER_NAME }),
    )[0];

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(stack, stack.triggerRole) }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'StartDeployExecutions',
            Action: 'states:StartExecution',
            Effect: 'Allow',
            Resource: { Ref: parameter },
          },
          {
            Sid: 'FollowDeployExecutions',
            Action: 'states:DescribeExecution',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':states:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':execution:',
                  { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: parameter }] }] },
                  ':*',
                ],
              ],
            },
          },
          {
            Sid: 'DeleteAbandonedChangeSets',
            Action: ['cloudformation:DescribeChangeSet', 'cloudformation:DeleteChangeSet'],
            Effect: 'Allow',
            Resource: ['dev', 'test', 'prod'].flatMap((env) =>
              ['stack', 'changeSet'].map((kind) => ({
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':cloudformation:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    `:${kind}/${env}-*/*`,
                  ],
                ],
              })),
            ),
          },
          {
            Sid: 'ReadInputFile',
            Action: 's3:GetObject',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [{ 'Fn::GetAtt': [logicalId(stack, stack.inputBucket), 'Arn'] }, `/${INPUT_FILE_KEY}`],
              ],
            },
          },
          {
            Sid: 'WriteOwnLogs',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TriggerLogs'), 'Arn'] },
          },
          {
            Action: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'],
            Effect: 'Allow',
            Resource: '*',
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
      Description: Match.stringLikeRegexp('^The Trigger function'),
    });
  });

  it('refuses environment names that cannot prefix a stack name, naming them', () => {
    // GIVEN, WHEN
    const build = () =>
      new PipelineStack(new App(), 'Bad', {
        environmentNames: ['prod', '1st'],
        triggerCode: Code.fromInline('x'),
      });

    // THEN
    expect(build).toThrow('environmentNames must be one or more CloudFormation name prefixes');
    expect(build).toThrow('"1st"');
  });

  it('may be invoked only by the pipeline: no resource policy, lambda:InvokeFunction only in the Deploy action role', () => {
    // GIVEN
    const stack = stackWith();

    // WHEN
    const resources = Template.fromStack(stack).toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;

    // THEN
    const trigger = logicalId(stack, stack.trigger);
    expect(Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission')).toEqual([]);
    const invokers = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
      .filter(([, r]) =>
        (r.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.some((s) =>
          [s.Action].flat().some((action) => action === 'lambda:InvokeFunction' || action === 'lambda:*'),
        ),
      );
    expect(invokers.map(([id]) => id)).toEqual([
      expect.stringMatching(/^PipelineProdDeployCodePipelineActionRole/),
    ]);
    const document = invokers[0]?.[1].Properties.PolicyDocument as
      | { Statement: { Action: string; Resource: unknown }[] }
      | undefined;
    const statement = (document ?? { Statement: [] }).Statement.find(
      (s) => s.Action === 'lambda:InvokeFunction',
    );
    expect(JSON.stringify(statement?.Resource)).toContain(trigger);
    expect(JSON.stringify(statement?.Resource)).not.toContain('"*"');
  });

  it('deploys the built bundle and its source map, never the esbuild metafile', () => {
    // GIVEN the app with the built Trigger bundle (the test target builds it first)
    const outdir = mkdtempSync(join(tmpdir(), 'pipeline-assets-'));
    outdirs.push(outdir);
    const { app, stack } = createApp({ appProps: { outdir }, nag: false });

    // WHEN
    const artifact = app.synth().getStackByName(stack.stackName);

    // THEN the Trigger's staged asset (asset.<hash> for <hash>.zip) holds exactly the bundle and its map
    const resources = artifact.template.Resources as Record<
      string,
      { Type: string; Properties: { Description?: string; Code?: { S3Key?: string } } }
    >;
    const trigger = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        resource.Properties.Description?.startsWith('cfn-safe-deploy Trigger'),
    );
    expect(trigger).toHaveLength(1);
    const key = String(trigger[0]?.Properties.Code?.S3Key);
    expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
    expect(readdirSync(join(outdir, `asset.${key.replace(/\.zip$/, '')}`)).sort()).toEqual([
      'index.mjs',
      'index.mjs.map',
    ]);
  });

  it('takes the code it is given instead of the bundle', () => {
    // GIVEN / WHEN
    const { stack } = createApp({
      nag: false,
      stackProps: { triggerCode: Code.fromInline('exports.handler = async () => undefined;') },
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Code: { ZipFile: 'exports.handler = async () => undefined;' },
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'cfn-safe-deploy-trigger' }) },
    });
  });
});

describe('the source, chosen by context', () => {
  it('is a new CodeCommit repository by default, started by its events', () => {
    // GIVEN
    const stack = stackWith();

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.hasResourceProperties('AWS::CodeCommit::Repository', { RepositoryName: 'cfn-safe-deploy' });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        {
          Name: 'Source',
          Actions: [
            Match.objectLike({
              ActionTypeId: Match.objectLike({ Provider: 'CodeCommit' }),
              Configuration: Match.objectLike({
                RepositoryName: {
                  'Fn::GetAtt': [
                    logicalId(stack, stack.repository as NonNullable<typeof stack.repository>),
                    'Name',
                  ],
                },
                BranchName: 'main',
              }),
            }),
          ],
        },
      ]),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.codecommit'] }),
    });
  });

  it('uses an existing repository with createRepository=false', () => {
    // GIVEN / WHEN
    const template = templateWith({
      createRepository: 'false',
      repositoryName: 'my-repo',
      branch: 'release',
    });

    // THEN
    template.resourceCountIs('AWS::CodeCommit::Repository', 0);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Source',
          Actions: [
            Match.objectLike({
              Configuration: Match.objectLike({ RepositoryName: 'my-repo', BranchName: 'release' }),
            }),
          ],
        }),
      ]),
    });
  });

  it('source=s3 reads a zip from a new versioned bucket, started by EventBridge', () => {
    // GIVEN
    const stack = stackWith({ source: 's3', sourceObjectKey: 'repo.zip' });

    // WHEN
    const template = Template.fromStack(stack);

    // THEN
    template.resourceCountIs('AWS::CodeCommit::Repository', 0);
    expect(stack.sourceBucket).toBeDefined();
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Source',
          Actions: [
            Match.objectLike({
              ActionTypeId: Match.objectLike({ Provider: 'S3' }),
              Configuration: Match.objectLike({ S3ObjectKey: 'repo.zip', PollForSourceChanges: false }),
            }),
          ],
        }),
      ]),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: {
            name: [{ Ref: logicalId(stack, stack.sourceBucket as NonNullable<typeof stack.sourceBucket>) }],
          },
          object: { key: ['repo.zip'] },
        },
      },
    });
  });

  it('source=connection uses the CodeStar connection', () => {
    // GIVEN / WHEN
    const template = templateWith({
      source: 'connection',
      connectionArn: CONNECTION_ARN,
      repository: 'me/cfn-safe-deploy',
    });

    // THEN
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Source',
          Actions: [
            Match.objectLike({
              ActionTypeId: Match.objectLike({ Provider: 'CodeStarSourceConnection' }),
              Configuration: Match.objectLike({
                ConnectionArn: CONNECTION_ARN,
                FullRepositoryId: 'me/cfn-safe-deploy',
                BranchName: 'main',
              }),
            }),
          ],
        }),
      ]),
    });
  });

  it.each([
    [{ source: 'git' }, 'context source is "git"; expected one of codecommit, s3, connection'],
    [{ source: 'connection', repository: 'me/x' }, 'source=connection needs the context value connectionArn'],
    [
      { source: 'connection', connectionArn: 'arn:aws:iam::1:role/x', repository: 'me/x' },
      'context connectionArn is',
    ],
    [
      { source: 'connection', connectionArn: CONNECTION_ARN, repository: 'x' },
      'context repository is "x"; expected owner/name',
    ],
    [{ createRepository: 'maybe' }, 'context createRepository is "maybe"; expected true or false'],
  ])('refuses bad context %o', (context, message) => {
    // WHEN / THEN
    expect(() => stackWith(context)).toThrow(message);
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it.each<[string, Record<string, string>]>([
    ['codecommit', {}],
    ['existing codecommit', { createRepository: 'false' }],
    ['s3', { source: 's3' }],
    ['existing s3 bucket', { source: 's3', sourceBucketName: 'my-source-bucket' }],
    ['connection', { source: 'connection', connectionArn: CONNECTION_ARN, repository: 'me/cfn-safe-deploy' }],
  ])('%s: synthesizes with every finding fixed or acknowledged with a reason', (_, context) => {
    // GIVEN
    const outdir = mkdtempSync(join(tmpdir(), 'pipeline-'));
    outdirs.push(outdir);
    const { app, stack } = createApp({ appProps: { outdir, context } });

    // WHEN
    const artifact = app.synth().getStackByName(stack.stackName);

    // THEN each acknowledgement, stored as { ruleId: reason }, has a written reason
    expect(nagAcknowledgements(artifact).length).toBeGreaterThan(0);
    expect(unexplainedAcknowledgements(artifact)).toEqual([]);
  });

  it('GIVEN a finding nobody acknowledged WHEN the app is synthesized THEN synthesis stops and names it', () => {
    // GIVEN the app plus a bucket without access logs or an SSL-only policy
    const outdir = mkdtempSync(join(tmpdir(), 'pipeline-'));
    outdirs.push(outdir);
    const { app, stack } = createApp({ appProps: { outdir } });
    new Bucket(stack, 'UnacknowledgedBucket');

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});
