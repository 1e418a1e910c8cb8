import { cloudFormationClient, defineTask, readConfig, s3Client } from '@cfn-safe-deploy/deploy-shared';
import { createChangeSet } from './create-change-set.js';

const cfn = cloudFormationClient();
const s3 = s3Client();

export const handler = defineTask('createChangeSet', (input) =>
  createChangeSet(input, { cfn, s3, config: readConfig() }),
);
