import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { deleteChangeSetTask } from '@cfn-safe-deploy/state-payloads';
import { deleteChangeSet } from './delete-change-set.js';

const cfn = cloudFormationClient();

export const handler = defineTask(deleteChangeSetTask, (input) => deleteChangeSet(input, { cfn }));
