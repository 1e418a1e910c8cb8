import { cloudFormationClient, defineTask, readConfig } from '@cfn-safe-deploy/deploy-shared';
import { createChangeSetTask } from '@cfn-safe-deploy/state-payloads';
import { createChangeSet } from './create-change-set.js';

const cfn = cloudFormationClient();

export const handler = defineTask(createChangeSetTask, (input) =>
  createChangeSet(input, { cfn, config: readConfig() }),
);
