import { projectConfig } from '../../vitest.shared.ts';

// Synthesizing the app takes seconds (more on a loaded machine): each test file synthesizes once.
// tests/deploy-moto.test.ts runs the CDK CLI against moto (about 12 s unloaded).
export default projectConfig({
  setupFiles: ['tests/setup.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
});
