import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { getChangeSetStatusTask } from '@cfn-safe-deploy/state-payloads';
import { getChangeSetStatus } from './get-change-set-status.js';

const cfn = cloudFormationClient();

export const handler = defineTask(getChangeSetStatusTask, (input) => getChangeSetStatus(input, { cfn }));
