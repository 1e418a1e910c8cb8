import { defineTask, readConfig, s3Client } from '@cfn-safe-deploy/deploy-shared';
import { loadTemplateTask } from '@cfn-safe-deploy/state-payloads';
import { loadTemplateOfDeployment } from './load-template.js';

const s3 = s3Client();

export const handler = defineTask(loadTemplateTask, (input) =>
  loadTemplateOfDeployment(input, { s3, config: readConfig() }),
);
