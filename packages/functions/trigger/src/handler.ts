import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SFNClient } from '@aws-sdk/client-sfn';
import { cloudFormationClient, createS3Client, logger, s3Client } from '@cfn-safe-deploy/deploy-shared';
import { handleJob } from './trigger.js';

const codePipeline = new CodePipelineClient({});
const sfn = new SFNClient({});

export const handler = async (event: unknown): Promise<void> => {
  await handleJob(event, {
    codePipeline,
    sfn,
    cfn: cloudFormationClient(),
    s3: s3Client(),
    // Per job: signed with the job's artifact credentials, addressed like the shared client.
    artifactS3: (credentials) => createS3Client({ credentials }),
    env: { STATE_MACHINE_ARN: process.env.STATE_MACHINE_ARN },
    logger,
  });
};
