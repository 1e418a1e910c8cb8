import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { REGION } from './fixtures.js';

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
