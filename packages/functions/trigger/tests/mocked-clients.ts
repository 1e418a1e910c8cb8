import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { logger } from '@cfn-safe-deploy/deploy-shared';
import { mockClient } from 'aws-sdk-client-mock';
import type { TriggerDeps } from '../src/trigger.js';
import { REGION, STATE_MACHINE_ARN } from './fixtures.js';

/**
 * The Trigger's SDK clients, each with its aws-sdk-client-mock (one set per test file: vitest
 * gives each file its own module instance).
 */
export const codePipeline = new CodePipelineClient({ region: REGION });
export const sfn = new SFNClient({ region: REGION });
export const cfn = new CloudFormationClient({ region: REGION });
export const inputBucketS3 = new S3Client({ region: REGION });
export const artifactS3Client = new S3Client({ region: REGION });
export const codePipelineMock = mockClient(codePipeline);
export const sfnMock = mockClient(sfn);
export const cfnMock = mockClient(cfn);
export const inputBucketMock = mockClient(inputBucketS3);
export const artifactMock = mockClient(artifactS3Client);

/** The Trigger's dependencies on these clients, configured for STATE_MACHINE_ARN; `overrides` replace some. */
export function mockedDeps(overrides: Partial<TriggerDeps> = {}): TriggerDeps {
  return {
    codePipeline,
    sfn,
    cfn,
    s3: inputBucketS3,
    artifactS3: () => artifactS3Client,
    env: { STATE_MACHINE_ARN },
    logger,
    ...overrides,
  };
}

/** Every mock forgets its answers and calls; CodePipeline accepts every answer of the job. */
export function resetMocks(): void {
  for (const mock of [codePipelineMock, sfnMock, cfnMock, inputBucketMock, artifactMock]) mock.reset();
  codePipelineMock.on(PutJobSuccessResultCommand).resolves({});
  codePipelineMock.on(PutJobFailureResultCommand).resolves({});
}
