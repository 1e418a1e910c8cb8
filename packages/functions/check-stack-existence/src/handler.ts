import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { checkStackExistenceTask } from '@cfn-safe-deploy/state-payloads';
import { checkStackExistence } from './check-stack-existence.js';

const cfn = cloudFormationClient();

export const handler = defineTask(checkStackExistenceTask, (input) => checkStackExistence(input, { cfn }));
