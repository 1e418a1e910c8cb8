import { cloudFormationClient, defineTask, readConfig } from '@cfn-safe-deploy/deploy-shared';
import { createStackTask } from '@cfn-safe-deploy/state-payloads';
import { createStack } from './create-stack.js';

const cfn = cloudFormationClient();

export const handler = defineTask(createStackTask, (input) =>
  createStack(input, { cfn, config: readConfig() }),
);
