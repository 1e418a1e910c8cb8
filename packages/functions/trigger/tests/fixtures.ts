import type { Outcome } from '@cfn-safe-deploy/state-payloads';
import { strToU8, zipSync } from 'fflate';

type Finding = Extract<Outcome, { result: 'refused' }>['findings'][number];

export const REGION = 'us-east-1';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:cfn-safe-deploy-prod';
export const JOB_ID = '11111111-2222-3333-4444-555555555555';
export const EXECUTION_NAME = `job-${JOB_ID}`;
export const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:cfn-safe-deploy-prod:${EXECUTION_NAME}`;
export const ARTIFACT_BUCKET = 'codepipeline-artifacts-bucket';
export const ARTIFACT_KEY = 'sample-pipeline/BuildOutpu/abc123';
export const INPUT_BUCKET = 'sample-pipeline-input';

/** Distinctive secret values: no log line and no pipeline message may ever contain them. */
export const SECRETS = {
  accessKeyId: 'ASIAARTIFACTACCESSKEY',
  secretAccessKey: 'artifact-secret-access-key-9f8e7d6c5b4a',
  sessionToken: 'artifact-session-token-FwoGZXIvYXdzEJr-0123456789',
  environment: 'env-secret-value-5b2d9c0e',
} as const;

export const CREDENTIALS = {
  accessKeyId: SECRETS.accessKeyId,
  secretAccessKey: SECRETS.secretAccessKey,
  sessionToken: SECRETS.sessionToken,
  expirationTime: 1_900_000_000_000,
};

export const INPUT_FILE = {
  environmentName: 'prod',
  stackName: 'sample-lambda-app',
  templatePath: 'SampleLambdaApp.template.json',
  parameters: { environmentName: 'prod' },
  capabilities: ['CAPABILITY_IAM'],
};

export interface JobEventOptions {
  readonly userParameters?: string | null;
  readonly continuationToken?: string;
  readonly inputArtifacts?: unknown[];
  readonly artifactCredentials?: unknown;
}

export function userParameters(value: Record<string, unknown>): string {
  return JSON.stringify(value);
}

/** A CodePipeline Lambda invoke event, as CodePipeline sends it. */
export function jobEvent(options: JobEventOptions = {}): Record<string, unknown> {
  const configuration: Record<string, string> = { FunctionName: 'cfn-safe-deploy-trigger' };
  const parameters =
    options.userParameters === undefined
      ? userParameters({ s3Bucket: INPUT_BUCKET, stateMachineFile: 'state_machine_input.json' })
      : options.userParameters;
  if (parameters !== null) configuration.UserParameters = parameters;
  return {
    'CodePipeline.job': {
      id: JOB_ID,
      accountId: '123456789012',
      data: {
        actionConfiguration: { configuration },
        inputArtifacts: options.inputArtifacts ?? [
          {
            name: 'BuildOutput',
            revision: null,
            location: { type: 'S3', s3Location: { bucketName: ARTIFACT_BUCKET, objectKey: ARTIFACT_KEY } },
          },
        ],
        outputArtifacts: [],
        artifactCredentials:
          options.artifactCredentials === undefined ? CREDENTIALS : options.artifactCredentials,
        ...(options.continuationToken === undefined ? {} : { continuationToken: options.continuationToken }),
      },
    },
  };
}

/** A GetObject body as the SDK returns it (the two readers the code uses). */
export function objectBody(content: string | Uint8Array): never {
  const bytes = typeof content === 'string' ? strToU8(content) : content;
  return {
    transformToByteArray: async () => bytes,
    transformToString: async () => Buffer.from(bytes).toString('utf8'),
  } as never;
}

export function artifactZip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

export function finding(index: number): Finding {
  return {
    stackPath: [],
    logicalResourceId: `Function${index}`,
    resourceType: 'AWS::Lambda::Function',
    action: 'Modify',
    replacement: 'True',
    policyAction: 'ReplaceAndDelete',
    reason: `Modify with Replacement True: FunctionName changes, so the function would be replaced (${index})`,
    rule: 'replacement',
  };
}

export function outcomeJson(outcome: Outcome): string {
  return JSON.stringify(outcome);
}
