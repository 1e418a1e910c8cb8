import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { logger, s3Client } from '@cfn-safe-deploy/deploy-shared';
import type { ArtifactCredentials } from './event.js';
import { handleJob } from './trigger.js';

const codePipeline = new CodePipelineClient({});
const sfn = new SFNClient({});

/** An S3 client signed with one job's artifact credentials, addressed like the shared client. */
function artifactS3(credentials: ArtifactCredentials): S3Client {
  return new S3Client({ credentials, forcePathStyle: s3Client().config.forcePathStyle });
}

export const handler = async (event: unknown): Promise<void> => {
  await handleJob(event, {
    codePipeline,
    sfn,
    s3: s3Client(),
    artifactS3,
    env: { STATE_MACHINE_ARN: process.env.STATE_MACHINE_ARN },
    logger,
  });
};
