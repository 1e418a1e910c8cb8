import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { checkStackExistence } from './check-stack-existence.js';

const cfn = cloudFormationClient();

export const handler = defineTask('checkStackExistence', (input) => checkStackExistence(input, { cfn }));
