import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { executeChangeSetTask } from '@cfn-safe-deploy/state-payloads';
import { executeChangeSet } from './execute-change-set.js';

const cfn = cloudFormationClient();

export const handler = defineTask(executeChangeSetTask, (input) => executeChangeSet(input, { cfn }));
