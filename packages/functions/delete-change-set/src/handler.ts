import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { deleteChangeSet } from './delete-change-set.js';

const cfn = cloudFormationClient();

export const handler = defineTask('deleteChangeSet', (input) => deleteChangeSet(input, { cfn }));
