import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of every task function. POWERTOOLS_LOG_LEVEL sets its level. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'cfn-safe-deploy' });
