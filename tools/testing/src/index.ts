import './provided-context.js';

export { awsTestEnv, cloudFormationFor, s3For, TEST_REGION } from './aws.js';
export { freePort, type MotoServer, type StartMotoOptions, startMoto } from './moto.js';
