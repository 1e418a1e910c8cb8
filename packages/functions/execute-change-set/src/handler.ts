import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { executeChangeSet } from './execute-change-set.js';

const cfn = cloudFormationClient();

export const handler = defineTask('executeChangeSet', (input) => executeChangeSet(input, { cfn }));
