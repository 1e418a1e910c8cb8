import { projectConfig } from '../../../vitest.shared.ts';

// The integration tests (tests/integration) talk to a moto server that the global setup starts.
export default projectConfig({
  globalSetup: ['@cfn-safe-deploy/testing/moto-global-setup'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
  env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
});
