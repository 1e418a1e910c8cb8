import { cloudFormationClient, defineTask, readConfig, s3Client } from '@cfn-safe-deploy/deploy-shared';
import { createStackTask } from '@cfn-safe-deploy/state-payloads';
import { createStack } from './create-stack.js';

const cfn = cloudFormationClient();
const s3 = s3Client();

export const handler = defineTask(createStackTask, (input) =>
  createStack(input, { cfn, s3, config: readConfig() }),
);
