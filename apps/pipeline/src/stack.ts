import { ASSEMBLY_DIR } from '@cfn-safe-deploy/sample-app';
import { DEFAULT_ENVIRONMENT_NAMES, DEFAULT_PARAMETER_NAME } from '@cfn-safe-deploy/state-machine';
import {
  type AssemblyInputFile,
  type InputFile,
  namesCloudAssembly,
  parseAssemblyInputFile,
  parseInputFile,
} from '@cfn-safe-deploy/state-payloads';
import { ArnFormat, Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxBuildImage, PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { Artifact, ExecutionMode, type IAction, Pipeline, PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import {
  CodeBuildAction,
  CodeCommitSourceAction,
  CodeCommitTrigger,
  CodeStarConnectionsSourceAction,
  LambdaInvokeAction,
  S3SourceAction,
  S3Trigger,
} from 'aws-cdk-lib/aws-codepipeline-actions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { CodePipeline as PipelineTarget } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { DEFAULT_SOURCE, type PipelineSource } from './source.js';
import { bundledTriggerCode } from './trigger-code.js';

/** The key of the state machine input file in the input bucket (the blog's name). */
export const INPUT_FILE_KEY = 'state_machine_input.json';

/** Where the build leaves the sample app's cloud assembly, relative to the repository root. */
export const SAMPLE_APP_OUTPUT = `apps/sample-app/${ASSEMBLY_DIR}`;

/**
 * The build runs the repository's own buildspec.yml (the one CodeBuild users run for CI), so the
 * build commands exist once: install pnpm, `pnpm install --frozen-lockfile`, `pnpm nx run
 * sample-app:synth` (which builds the sample function first), and the whole cloud assembly
 * (`cdk.out/`: manifest, templates, asset manifests, asset folders) as the artifact.
 */
export const BUILD_SPEC_FILE = 'buildspec.yml';

/**
 * The buildspec's switches for this build: no checks (the source zip has no git history for `nx
 * affected`; the checks ran in CI before the merge) and no deployment of a CDK app.
 */
export const BUILD_ENVIRONMENT: Readonly<Record<string, string>> = { CHECKS: 'none', DEPLOY_APP: '' };

/**
 * What the Deploy action deploys by default: the whole sample app, a cloud assembly — both stacks,
 * in dependency order, under the names the assembly gives them (`prod-sample-data`,
 * `prod-sample-service`), from `cdk.out` of the build artifact, its file assets published first.
 */
export const DEFAULT_INPUT_FILE: DeploymentInputFile = {
  environmentName: 'prod',
  cloudAssembly: ASSEMBLY_DIR,
  capabilities: ['CAPABILITY_IAM'],
  onUnsafeChange: 'fail',
};

/** The Deploy action's input file: one template, or a cloud assembly. */
export type DeploymentInputFile = InputFile | AssemblyInputFile;

/** Validates the input file the app puts in the input bucket, as the Trigger will read it. */
function checkedInputFile(value: DeploymentInputFile, source: string): DeploymentInputFile {
  return namesCloudAssembly(value) ? parseAssemblyInputFile(value, source) : parseInputFile(value, source);
}

export interface PipelineStackProps extends StackProps {
  /**
   * Where the pipeline gets the repository from.
   * @default DEFAULT_SOURCE - a new CodeCommit repository `cfn-safe-deploy`, branch main
   */
  readonly source?: PipelineSource;
  /**
   * The SSM parameter holding the Deploy state machine's ARN (written by the state machine app).
   * @default DEFAULT_PARAMETER_NAME of @cfn-safe-deploy/state-machine
   */
  readonly stateMachineArnParameterName?: string;
  /**
   * The environments whose stacks (`<environmentName>-*`) this pipeline deploys: the Trigger may
   * describe and delete change sets of those stacks only (the never-executed change set of an
   * execution that was stopped or timed out). The same list as the state machine app's.
   * @default DEFAULT_ENVIRONMENT_NAMES of @cfn-safe-deploy/state-machine (dev, test, prod)
   */
  readonly environmentNames?: readonly string[];
  /**
   * The state machine input file put in the input bucket (validated at synthesis).
   * @default DEFAULT_INPUT_FILE
   */
  readonly inputFile?: DeploymentInputFile;
  /**
   * The Trigger function's code.
   * @default - the bundle of @cfn-safe-deploy/function-trigger (`pnpm nx run trigger:build`)
   */
  readonly triggerCode?: Code;
  /**
   * The artifact bucket's name. It starts with `codepipeline-` so that the state machine app's
   * default `artifactBucketNames` (`codepipeline-*`) lets the task functions read the revisions.
   * @default codepipeline-REGION-ACCOUNT-cfn-safe-deploy
   */
  readonly artifactBucketName?: string;
  /**
   * @default 'cfn-safe-deploy-sample'
   */
  readonly pipelineName?: string;
  /**
   * Retention of the Trigger's and the build's logs.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The sample pipeline (CodePipeline V2): Source → Build (CodeBuild synthesizes the sample app with
 * the repository's own commands) → Prod (the Deploy action invokes the Trigger function, which runs
 * the Deploy state machine). The state machine is found through its SSM parameter, so this app and
 * the state machine app deploy independently.
 */
export class PipelineStack extends Stack {
  readonly pipeline: Pipeline;
  readonly artifactBucket: Bucket;
  readonly inputBucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly trigger: LambdaFunction;
  readonly triggerRole: Role;
  readonly buildProject: PipelineProject;
  readonly inputDeployment: BucketDeployment;
  /** The source bucket, when the stack created one (source kind s3 without a bucket name). */
  readonly sourceBucket?: Bucket;
  /** The repository, when the stack created one (source kind codecommit). */
  readonly repository?: Repository;
  /** The state machine ARN, read from SSM at deployment time. */
  readonly stateMachineArn: string;

  constructor(scope: Construct, id: string, props: PipelineStackProps = {}) {
    super(scope, id, props);
    const source = props.source ?? DEFAULT_SOURCE;
    const inputFile = checkedInputFile(
      props.inputFile ?? DEFAULT_INPUT_FILE,
      'inputFile (the pipeline app prop)',
    );
    const retention = props.logRetention ?? RetentionDays.THREE_MONTHS;
    const environmentNames = props.environmentNames ?? DEFAULT_ENVIRONMENT_NAMES;
    if (
      environmentNames.length === 0 ||
      environmentNames.some((env) => !/^[a-zA-Z][-a-zA-Z0-9]*$/.test(env))
    ) {
      throw new Error(
        `environmentNames must be one or more CloudFormation name prefixes (a letter, then letters, digits or hyphens); got ${JSON.stringify(environmentNames)}`,
      );
    }

    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.artifactBucket = this.secureBucket('ArtifactBucket', {
      bucketName: props.artifactBucketName ?? `codepipeline-${Aws.REGION}-${Aws.ACCOUNT_ID}-cfn-safe-deploy`,
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30) }],
    });
    this.inputBucket = this.secureBucket('InputBucket', {
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    });
    this.inputDeployment = new BucketDeployment(this, 'InputFile', {
      destinationBucket: this.inputBucket,
      sources: [Source.jsonData(INPUT_FILE_KEY, inputFile)],
      prune: false,
      memoryLimit: 256,
    });

    this.pipeline = new Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName ?? 'cfn-safe-deploy-sample',
      pipelineType: PipelineType.V2,
      // Every revision gets its own verdict, in order: a refused change is never skipped silently.
      executionMode: ExecutionMode.QUEUED,
      artifactBucket: this.artifactBucket,
      restartExecutionOnUpdate: false,
    });

    // Source
    const sourceOutput = new Artifact('Source');
    const {
      action: sourceAction,
      bucket: sourceBucket,
      repository,
    } = this.sourceAction(source, sourceOutput);
    this.sourceBucket = sourceBucket;
    this.repository = repository;
    this.pipeline.addStage({ stageName: 'Source', actions: [sourceAction] });

    // Build: the repository's own commands synthesize the sample app into the deploy artifact.
    const buildOutput = new Artifact('Template');
    this.buildProject = new PipelineProject(this, 'SynthesizeSampleApp', {
      description: "Synthesizes the sample app with the repository's own commands (pnpm, Nx).",
      environment: { buildImage: LinuxBuildImage.STANDARD_7_0, computeType: ComputeType.MEDIUM },
      timeout: Duration.minutes(30),
      logging: {
        cloudWatch: {
          logGroup: new LogGroup(this, 'BuildLogs', { retention, removalPolicy: RemovalPolicy.DESTROY }),
        },
      },
      environmentVariables: Object.fromEntries(
        Object.entries(BUILD_ENVIRONMENT).map(([name, value]) => [name, { value }]),
      ),
      buildSpec: BuildSpec.fromSourceFilename(BUILD_SPEC_FILE),
    });
    this.pipeline.addStage({
      stageName: 'Build',
      actions: [
        new CodeBuildAction({
          actionName: 'Synthesize',
          project: this.buildProject,
          input: sourceOutput,
          outputs: [buildOutput],
        }),
      ],
    });

    // Prod: the Deploy action invokes the Trigger function.
    this.stateMachineArn = StringParameter.valueForStringParameter(
      this,
      props.stateMachineArnParameterName ?? DEFAULT_PARAMETER_NAME,
    );
    this.triggerRole = new Role(this, 'TriggerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description:
        'The Trigger function: starts and follows Deploy state machine executions, answers pipeline jobs.',
    });
    const triggerLogs = new LogGroup(this, 'TriggerLogs', {
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.trigger = new LambdaFunction(this, 'Trigger', {
      description: 'cfn-safe-deploy Trigger: runs the Deploy state machine for the pipeline Deploy action.',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: props.triggerCode ?? bundledTriggerCode(),
      memorySize: 512,
      timeout: Duration.minutes(2),
      role: this.triggerRole,
      logGroup: triggerLogs,
      environment: {
        STATE_MACHINE_ARN: this.stateMachineArn,
        POWERTOOLS_SERVICE_NAME: 'cfn-safe-deploy-trigger',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
    this.grantTrigger(triggerLogs, environmentNames);

    this.pipeline.addStage({
      stageName: 'Prod',
      actions: [
        new LambdaInvokeAction({
          actionName: 'Deploy',
          lambda: this.trigger,
          inputs: [buildOutput],
          userParameters: { s3Bucket: this.inputBucket.bucketName, stateMachineFile: INPUT_FILE_KEY },
          variablesNamespace: 'Deploy',
        }),
      ],
    });

    new CfnOutput(this, 'PipelineName', { value: this.pipeline.pipelineName });
    new CfnOutput(this, 'InputBucketName', { value: this.inputBucket.bucketName });
    new CfnOutput(this, 'ArtifactBucketName', { value: this.artifactBucket.bucketName });
    new CfnOutput(this, 'TriggerFunctionName', { value: this.trigger.functionName });
    if (this.repository) {
      new CfnOutput(this, 'RepositoryCloneUrlGrc', { value: this.repository.repositoryCloneUrlGrc });
    }
    if (this.sourceBucket) new CfnOutput(this, 'SourceBucketName', { value: this.sourceBucket.bucketName });
  }

  /** Encrypted (SSE-S3), SSL only, private, versioned, with server access logs. */
  private secureBucket(id: string, props: BucketProps): Bucket {
    return new Bucket(this, id, {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${id}/`,
      removalPolicy: RemovalPolicy.RETAIN,
      ...props,
    });
  }

  private sourceAction(
    source: PipelineSource,
    output: Artifact,
  ): { action: IAction; bucket?: Bucket; repository?: Repository } {
    switch (source.kind) {
      case 'codecommit': {
        const repository = source.createRepository
          ? new Repository(this, 'Repository', {
              repositoryName: source.repositoryName,
              description: 'cfn-safe-deploy: the monorepo whose sample app the pipeline deploys.',
            })
          : undefined;
        return {
          action: new CodeCommitSourceAction({
            actionName: 'Source',
            repository:
              repository ?? Repository.fromRepositoryName(this, 'Repository', source.repositoryName),
            branch: source.branch,
            output,
            trigger: CodeCommitTrigger.EVENTS,
          }),
          ...(repository ? { repository } : {}),
        };
      }
      case 's3': {
        const created =
          source.bucketName === undefined
            ? this.secureBucket('SourceBucket', { eventBridgeEnabled: true })
            : undefined;
        const bucket: IBucket =
          created ?? Bucket.fromBucketName(this, 'SourceBucket', source.bucketName as string);
        // S3 → EventBridge "Object Created" starts the pipeline (no CloudTrail trail needed). An
        // existing bucket needs EventBridge notifications turned on for this rule to fire.
        new Rule(this, 'SourceObjectCreated', {
          description: 'Starts the pipeline when a new source zip is uploaded.',
          eventPattern: {
            source: ['aws.s3'],
            detailType: ['Object Created'],
            detail: { bucket: { name: [bucket.bucketName] }, object: { key: [source.objectKey] } },
          },
          targets: [new PipelineTarget(this.pipeline)],
        });
        return {
          action: new S3SourceAction({
            actionName: 'Source',
            bucket,
            bucketKey: source.objectKey,
            output,
            trigger: S3Trigger.NONE,
          }),
          ...(created ? { bucket: created } : {}),
        };
      }
      case 'connection':
        return {
          action: new CodeStarConnectionsSourceAction({
            actionName: 'Source',
            connectionArn: source.connectionArn,
            owner: source.owner,
            repo: source.repo,
            branch: source.branch,
            output,
            triggerOnPush: true,
          }),
        };
    }
  }

  /** The Trigger's rights, each limited to what it touches (see packages/functions/trigger/README.md). */
  private grantTrigger(logGroup: LogGroup, environmentNames: readonly string[]): void {
    const stateMachineName = Fn.select(6, Fn.split(':', this.stateMachineArn));
    this.triggerRole.addToPolicy(
      new PolicyStatement({
        sid: 'StartDeployExecutions',
        actions: ['states:StartExecution'],
        resources: [this.stateMachineArn],
      }),
    );
    this.triggerRole.addToPolicy(
      new PolicyStatement({
        sid: 'FollowDeployExecutions',
        actions: ['states:DescribeExecution'],
        resources: [
          this.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${stateMachineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // A stopped or timed-out execution cannot delete its own change set: the Trigger deletes it,
    // after checking it is the deployment's own and was never executed (abandoned-change-set.ts).
    this.triggerRole.addToPolicy(
      new PolicyStatement({
        sid: 'DeleteAbandonedChangeSets',
        actions: ['cloudformation:DescribeChangeSet', 'cloudformation:DeleteChangeSet'],
        resources: environmentNames.flatMap((env) => [
          this.formatArn({
            service: 'cloudformation',
            resource: 'stack',
            resourceName: `${env}-*/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
          this.formatArn({
            service: 'cloudformation',
            resource: 'changeSet',
            resourceName: `${env}-*/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ]),
      }),
    );
    this.triggerRole.addToPolicy(
      new PolicyStatement({
        sid: 'ReadInputFile',
        actions: ['s3:GetObject'],
        resources: [this.inputBucket.arnForObjects(INPUT_FILE_KEY)],
      }),
    );
    this.triggerRole.addToPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // codepipeline:PutJobSuccessResult / PutJobFailureResult on "*" is added by LambdaInvokeAction.
  }
}
