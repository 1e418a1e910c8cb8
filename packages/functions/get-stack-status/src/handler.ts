import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { getStackStatus } from './get-stack-status.js';

const cfn = cloudFormationClient();

export const handler = defineTask('getStackStatus', (input) => getStackStatus(input, { cfn }));
