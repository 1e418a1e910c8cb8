import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { inspectChangeSet } from './inspect-change-set.js';

const cfn = cloudFormationClient();

export const handler = defineTask('inspectChangeSet', (input) => inspectChangeSet(input, { cfn }));
