import { projectConfig } from '../../vitest.shared.ts';

// The built task bundles (dist/index.mjs of each function package, built first by the test
// target's ^build) against one moto server started for the run (python3 with moto[server]).
export default projectConfig({
  globalSetup: ['@cfn-safe-deploy/testing/moto-global-setup'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
});
