import { InvalidInputError, logger, s3Client, toTaskError } from '@cfn-safe-deploy/deploy-shared';
import {
  type AssetsPublished,
  PayloadValidationError,
  type PublishAssetsInput,
  parseWith,
  publishAssetsTask,
} from '@cfn-safe-deploy/state-payloads';
import { LambdaAws, lambdaAwsClients } from './lambda-aws.js';
import { publishAssets } from './publish-assets.js';

const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
const aws = new LambdaAws({ region, ...lambdaAwsClients() });

/**
 * The Lambda handler: validates the event with `publishAssetsTask.input` (not in the task registry
 * yet, so not through `defineTask`), publishes, and maps errors to the classes the state machine
 * matches (AWS errors by their kind, the artifact's and the assets' as `ArtifactError`).
 */
export async function handler(event: unknown): Promise<AssetsPublished> {
  logger.appendKeys({ task: publishAssetsTask.name });
  let input: PublishAssetsInput;
  try {
    input = parseWith(
      publishAssetsTask.input,
      event,
      `${publishAssetsTask.name} input`,
    ) as PublishAssetsInput;
  } catch (error) {
    if (error instanceof PayloadValidationError) throw new InvalidInputError(error.message, { cause: error });
    throw error;
  }
  if (region === '') throw new InvalidInputError('AWS_REGION is not set: the Lambda runtime sets it');
  try {
    const result = await publishAssets(input, {
      s3: s3Client(),
      aws,
      log: (message) => logger.debug(message),
    });
    logger.info('assets published', {
      uploaded: result.assets.filter((asset) => asset.action === 'uploaded').length,
      alreadyPublished: result.assets.filter((asset) => asset.action === 'already-published').length,
    });
    return result;
  } catch (error) {
    throw toTaskError(error, 'PublishAssets', input.assetManifests.join(', '));
  }
}
