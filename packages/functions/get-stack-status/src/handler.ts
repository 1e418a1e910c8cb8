import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { getStackStatusTask } from '@cfn-safe-deploy/state-payloads';
import { getStackStatus } from './get-stack-status.js';

const cfn = cloudFormationClient();

export const handler = defineTask(getStackStatusTask, (input) => getStackStatus(input, { cfn }));
