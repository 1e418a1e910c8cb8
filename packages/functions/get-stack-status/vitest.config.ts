import { projectConfig } from '../../../vitest.shared.ts';

// Unit tests use mocked clients; tests/integration runs the built bundles against one moto server
// started for the run (python3 with moto[server] required).
export default projectConfig({
  env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  globalSetup: ['@cfn-safe-deploy/testing/moto-global-setup'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
});
