import { cloudFormationClient, defineTask } from '@cfn-safe-deploy/deploy-shared';
import { inspectChangeSetTask } from '@cfn-safe-deploy/state-payloads';
import { inspectChangeSet } from './inspect-change-set.js';

const cfn = cloudFormationClient();

export const handler = defineTask(inspectChangeSetTask, (input) => inspectChangeSet(input, { cfn }));
