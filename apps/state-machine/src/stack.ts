import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { buildDeployDefinition } from './definition.js';
import {
  bundledFunctionCode,
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  type FunctionName,
  functionOf,
} from './functions.js';

/** Environments whose stacks (`<environmentName>-<stackName>`) the state machine may deploy. */
export const DEFAULT_ENVIRONMENT_NAMES = ['dev', 'test', 'prod'] as const;
/** Source artifact buckets: CodePipeline's default artifact stores are named `codepipeline-<region>-<suffix>`. */
export const DEFAULT_ARTIFACT_BUCKET_NAMES = ['codepipeline-*'] as const;
/** Where any pipeline finds the state machine (no CloudFormation export needed). */
export const DEFAULT_PARAMETER_NAME = '/cfn-safe-deploy/deploy-state-machine-arn';
/** The execution's time limit: above the functions' polling budgets (stack operation 3 h, change set 15 min, busy stack 30 min). */
export const STATE_MACHINE_TIMEOUT = Duration.hours(4);
/** Templates staged for CloudFormation (over 51,200 bytes) are needed only while a deployment runs. */
export const TEMPLATE_EXPIRY = Duration.days(7);

/** CDK's default bootstrap qualifier. */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

export interface StateMachineStackProps extends StackProps {
  /**
   * Environment names: CloudFormation rights are scoped to stacks and change sets named `<name>-*`.
   * @default DEFAULT_ENVIRONMENT_NAMES (dev, test, prod)
   */
  readonly environmentNames?: readonly string[];
  /**
   * Names (globs allowed) of the buckets that hold source artifacts; the functions that read templates may read them.
   * @default DEFAULT_ARTIFACT_BUCKET_NAMES (`codepipeline-*`)
   */
  readonly artifactBucketNames?: readonly string[];
  /**
   * The CDK bootstrap qualifier of the accounts deployed to: Publish Assets may assume only
   * `cdk-<qualifier>-file-publishing-role-<account>-<region>`, the bootstrap's role that writes the asset bucket.
   * @default DEFAULT_BOOTSTRAP_QUALIFIER ('hnb659fds', CDK's default)
   */
  readonly bootstrapQualifier?: string;
  /**
   * Code of each task function.
   * @default - the built `dist/` folder of the function's package (`bundledFunctionCode`)
   */
  readonly functionCode?: (name: FunctionName) => Code;
  /**
   * What the CloudFormation execution role may do to deploy the stacks.
   * @default - `defaultExecutionRoleStatements(...)`: Lambda functions, their IAM roles and log groups named with an environment prefix
   */
  readonly executionRoleStatements?: readonly PolicyStatement[];
  /**
   * The SSM parameter that holds the state machine ARN.
   * @default DEFAULT_PARAMETER_NAME
   */
  readonly parameterName?: string;
  /**
   * Retention of the execution log and the function logs.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The default rights of the CloudFormation execution role: enough for a Lambda application (as the
 * sample app: functions, their roles and logs, DynamoDB tables, code from the CDK asset bucket) whose
 * resources CloudFormation names after the stack, i.e. with an environment prefix.
 * Give `executionRoleStatements` for other resource types.
 */
export function defaultExecutionRoleStatements(
  stack: Stack,
  environmentNames: readonly string[],
  bootstrapQualifier: string = DEFAULT_BOOTSTRAP_QUALIFIER,
): PolicyStatement[] {
  const arn = (
    service: string,
    resource: string,
    resourceName: string,
    format = ArnFormat.COLON_RESOURCE_NAME,
  ) => stack.formatArn({ service, resource, resourceName, arnFormat: format });
  const iamArn = (resourceName: string) =>
    stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName });
  return [
    new PolicyStatement({
      sid: 'LambdaFunctions',
      actions: [
        'lambda:CreateFunction',
        'lambda:DeleteFunction',
        'lambda:GetFunction',
        'lambda:GetFunctionConfiguration',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:ListTags',
        'lambda:TagResource',
        'lambda:UntagResource',
        'lambda:AddPermission',
        'lambda:RemovePermission',
        'lambda:PublishVersion',
        'lambda:ListVersionsByFunction',
        'lambda:CreateAlias',
        'lambda:UpdateAlias',
        'lambda:DeleteAlias',
        'lambda:GetAlias',
      ],
      resources: environmentNames.map((env) => arn('lambda', 'function', `${env}-*`)),
    }),
    new PolicyStatement({
      sid: 'LambdaRoles',
      actions: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
      ],
      resources: environmentNames.map((env) => iamArn(`${env}-*`)),
    }),
    new PolicyStatement({
      sid: 'PassLambdaRoles',
      actions: ['iam:PassRole'],
      resources: environmentNames.map((env) => iamArn(`${env}-*`)),
      conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    }),
    new PolicyStatement({
      sid: 'LogGroups',
      actions: [
        'logs:CreateLogGroup',
        'logs:DeleteLogGroup',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:TagResource',
        'logs:UntagResource',
        'logs:ListTagsForResource',
      ],
      resources: environmentNames.flatMap((env) => [
        arn('logs', 'log-group', `/aws/lambda/${env}-*`),
        arn('logs', 'log-group', `${env}-*`),
      ]),
    }),
    new PolicyStatement({
      sid: 'DynamoDBTables',
      actions: [
        'dynamodb:CreateTable',
        'dynamodb:DeleteTable',
        'dynamodb:DescribeTable',
        'dynamodb:UpdateTable',
        'dynamodb:DescribeContinuousBackups',
        'dynamodb:UpdateContinuousBackups',
        'dynamodb:DescribeTimeToLive',
        'dynamodb:UpdateTimeToLive',
        'dynamodb:TagResource',
        'dynamodb:UntagResource',
        'dynamodb:ListTagsOfResource',
      ],
      resources: environmentNames.map((env) =>
        arn('dynamodb', 'table', `${env}-*`, ArnFormat.SLASH_RESOURCE_NAME),
      ),
    }),
    new PolicyStatement({
      // Lambda reads a function's code from S3 with the rights of whoever creates or updates it.
      sid: 'ReadFileAssets',
      actions: ['s3:GetObject'],
      resources: [
        stack.formatArn({
          service: 's3',
          region: '',
          account: '',
          resource: `cdk-${bootstrapQualifier}-assets-${stack.account}-${stack.region}`,
          resourceName: '*',
        }),
      ],
    }),
  ];
}

/** The task functions, the Deploy state machine and the SSM parameter with its ARN. */
export class StateMachineStack extends Stack {
  readonly stateMachine: StateMachine;
  readonly functions: Readonly<Record<FunctionName, LambdaFunction>>;
  readonly executionRole: Role;
  readonly templateBucket: Bucket;
  readonly parameter: StringParameter;
  readonly environmentNames: readonly string[];
  readonly artifactBucketNames: readonly string[];

  constructor(scope: Construct, id: string, props: StateMachineStackProps = {}) {
    super(scope, id, props);
    const environmentNames = props.environmentNames ?? DEFAULT_ENVIRONMENT_NAMES;
    if (
      environmentNames.length === 0 ||
      environmentNames.some((env) => !/^[a-zA-Z][-a-zA-Z0-9]*$/.test(env))
    ) {
      throw new Error(
        `environmentNames must be one or more CloudFormation name prefixes (a letter, then letters, digits or hyphens); got ${JSON.stringify(environmentNames)}`,
      );
    }
    const qualifier = props.bootstrapQualifier ?? DEFAULT_BOOTSTRAP_QUALIFIER;
    if (!/^[a-z0-9]{1,10}$/.test(qualifier)) {
      throw new Error(
        `bootstrapQualifier must be a CDK bootstrap qualifier (1 to 10 lowercase letters or digits); got ${JSON.stringify(qualifier)}`,
      );
    }
    const artifactBucketNames = props.artifactBucketNames ?? DEFAULT_ARTIFACT_BUCKET_NAMES;
    if (
      artifactBucketNames.length === 0 ||
      artifactBucketNames.some((name) => name.length === 0 || name === '*')
    ) {
      throw new Error(
        `artifactBucketNames must name one or more buckets (globs allowed, not "*"); got ${JSON.stringify(artifactBucketNames)}`,
      );
    }
    this.environmentNames = environmentNames;
    this.artifactBucketNames = artifactBucketNames;
    const functionCode = props.functionCode ?? bundledFunctionCode;
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;

    this.executionRole = new Role(this, 'CloudFormationExecutionRole', {
      description:
        'Assumed by CloudFormation for the stacks the Deploy state machine creates, updates and deletes.',
      assumedBy: new ServicePrincipal('cloudformation.amazonaws.com'),
    });
    for (const statement of props.executionRoleStatements ??
      defaultExecutionRoleStatements(this, environmentNames, qualifier)) {
      this.executionRole.addToPolicy(statement);
    }

    this.templateBucket = new Bucket(this, 'TemplateBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      versioned: false,
      lifecycleRules: [
        {
          id: 'ExpireStagedTemplates',
          expiration: TEMPLATE_EXPIRY,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const stackArns = environmentNames.map((env) =>
      this.formatArn({
        service: 'cloudformation',
        resource: 'stack',
        resourceName: `${env}-*/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    const changeSetArns = environmentNames.map((env) =>
      this.formatArn({
        service: 'cloudformation',
        resource: 'changeSet',
        resourceName: `${env}-*/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    );
    const artifactObjectArns = artifactBucketNames.map((name) =>
      this.formatArn({ service: 's3', region: '', account: '', resource: name, resourceName: '*' }),
    );

    const functions = {} as Record<FunctionName, LambdaFunction>;
    for (const name of FUNCTION_NAMES) {
      const spec = FUNCTION_SPECS[name];
      const id = pascalCase(name);
      const logGroup = new LogGroup(this, `${id}Logs`, {
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = new Role(this, `${id}Role`, {
        description: `Role of the ${name} task function: only the actions it calls.`,
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      });
      logGroup.grantWrite(role);
      if (spec.cloudFormationActions.length > 0) {
        role.addToPolicy(
          new PolicyStatement({
            sid: 'CloudFormation',
            actions: [...spec.cloudFormationActions],
            resources: spec.cloudFormationActions.some((a) => a.endsWith('ChangeSet'))
              ? [...stackArns, ...changeSetArns]
              : stackArns,
          }),
        );
      }
      if (spec.passesExecutionRole) {
        role.addToPolicy(
          new PolicyStatement({
            sid: 'PassExecutionRole',
            actions: ['iam:PassRole'],
            resources: [this.executionRole.roleArn],
            conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
          }),
        );
      }
      if (spec.readsArtifacts) {
        role.addToPolicy(
          new PolicyStatement({
            sid: 'ReadArtifacts',
            actions: ['s3:GetObject'],
            resources: artifactObjectArns,
          }),
        );
      }
      if (spec.publishesAssets === true) {
        // The asset manifests name the bootstrap's publishing roles: the file-publishing role alone
        // writes the asset bucket; the image-publishing role is assumed only to find whether the build
        // stage pushed an image (DescribeRepositories, DescribeImages), never to push.
        role.addToPolicy(
          new PolicyStatement({
            sid: 'AssumePublishingRoles',
            actions: ['sts:AssumeRole'],
            resources: ['file', 'image'].map((kind) =>
              this.formatArn({
                service: 'iam',
                region: '',
                resource: 'role',
                resourceName: `cdk-${qualifier}-${kind}-publishing-role-${this.account}-${this.region}`,
              }),
            ),
          }),
        );
      }
      if (spec.stagesTemplates) {
        role.addToPolicy(
          new PolicyStatement({
            sid: 'StageTemplates',
            actions: ['s3:PutObject'],
            resources: [this.templateBucket.arnForObjects('templates/*')],
          }),
        );
      }
      if (spec.passesStagedTemplates) {
        // CloudFormation reads a TemplateURL with the rights of whoever called CreateStack/CreateChangeSet.
        role.addToPolicy(
          new PolicyStatement({
            sid: 'ReadStagedTemplates',
            actions: ['s3:GetObject'],
            resources: [this.templateBucket.arnForObjects('templates/*')],
          }),
        );
      }
      functions[name] = new LambdaFunction(this, id, {
        description: spec.description,
        code: functionCode(name),
        handler: 'index.handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMiB,
        timeout: Duration.seconds(spec.timeoutSeconds),
        role,
        logGroup,
        // Each function gets only the settings it reads.
        environment: {
          POWERTOOLS_SERVICE_NAME: `cfn-safe-deploy-${name}`,
          ...(spec.passesExecutionRole ? { CFN_EXECUTION_ROLE_ARN: this.executionRole.roleArn } : {}),
          ...(spec.stagesTemplates ? { TEMPLATE_BUCKET: this.templateBucket.bucketName } : {}),
        },
      });
    }
    this.functions = functions;

    const executionLog = new LogGroup(this, 'DeployStateMachineLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'DeployStateMachine', {
      comment: 'Deploys one CloudFormation stack without ever deleting or replacing resources by accident.',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(
        buildDeployDefinition(this, (task) => functions[functionOf(task)]),
      ),
      timeout: STATE_MACHINE_TIMEOUT,
      tracingEnabled: true,
      // Execution data is not logged: the input may carry stack parameters, and outcomes are in the history.
      logs: { destination: executionLog, level: LogLevel.ALL, includeExecutionData: false },
    });

    this.parameter = new StringParameter(this, 'StateMachineArnParameter', {
      parameterName: props.parameterName ?? DEFAULT_PARAMETER_NAME,
      description: 'ARN of the cfn-safe-deploy Deploy state machine.',
      stringValue: this.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'StateMachineArn', {
      value: this.stateMachine.stateMachineArn,
      description: 'The Deploy state machine.',
    });
    new CfnOutput(this, 'StateMachineArnParameterName', {
      value: this.parameter.parameterName,
      description: 'SSM parameter holding the ARN.',
    });
    new CfnOutput(this, 'CloudFormationExecutionRoleArn', { value: this.executionRole.roleArn });
    new CfnOutput(this, 'TemplateBucketName', { value: this.templateBucket.bucketName });
  }
}

function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
