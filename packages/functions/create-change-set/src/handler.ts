import { cloudFormationClient, defineTask, readConfig, s3Client } from '@cfn-safe-deploy/deploy-shared';
import { createChangeSetTask } from '@cfn-safe-deploy/state-payloads';
import { createChangeSet } from './create-change-set.js';

const cfn = cloudFormationClient();
const s3 = s3Client();

export const handler = defineTask(createChangeSetTask, (input) =>
  createChangeSet(input, { cfn, s3, config: readConfig() }),
);
