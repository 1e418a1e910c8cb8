import { cloudFormationClient, defineTask, readConfig } from '@cfn-safe-deploy/deploy-shared';
import { deleteStackTask } from '@cfn-safe-deploy/state-payloads';
import { deleteStack } from './delete-stack.js';

const cfn = cloudFormationClient();

export const handler = defineTask(deleteStackTask, (input) =>
  deleteStack(input, { cfn, config: readConfig() }),
);
