import { defineTask, logger, s3Client } from '@cfn-safe-deploy/deploy-shared';
import { publishAssetsTask } from '@cfn-safe-deploy/state-payloads';
import { LambdaAws, lambdaAwsClients } from './lambda-aws.js';
import { publishAssets } from './publish-assets.js';

const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
const aws = new LambdaAws({ region, ...lambdaAwsClients() });

export const handler = defineTask(publishAssetsTask, async (input) => {
  const result = await publishAssets(input, { s3: s3Client(), aws, log: (message) => logger.debug(message) });
  logger.info('assets published', {
    uploaded: result.assets.filter((asset) => asset.action === 'uploaded').length,
    alreadyPublished: result.assets.filter((asset) => asset.action === 'already-published').length,
  });
  return result;
});
