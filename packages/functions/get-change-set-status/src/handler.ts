import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { getChangeSetStatus } from './get-change-set-status.js';

const cfn = cloudFormationClient();

export const handler = defineTask('getChangeSetStatus', (input) => getChangeSetStatus(input, { cfn }));
