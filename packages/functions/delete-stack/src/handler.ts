import { cloudFormationClient, defineTask, readConfig } from '@cfn-safe-deploy/deploy-shared';
import { deleteStack } from './delete-stack.js';

const cfn = cloudFormationClient();

export const handler = defineTask('deleteStack', (input) =>
  deleteStack(input, { cfn, config: readConfig() }),
);
