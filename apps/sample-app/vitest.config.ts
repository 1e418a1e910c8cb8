import { projectConfig } from '../../vitest.shared.ts';

// Synthesizing CDK apps and loading the CloudFormation diff takes seconds on a busy machine.
export default projectConfig({ testTimeout: 120_000 });
