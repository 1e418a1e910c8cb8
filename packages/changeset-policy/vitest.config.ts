import { projectConfig } from '../../vitest.shared.ts';

// The global setup builds dist/ once, for the tests that run the real `changeset-policy` binary.
export default projectConfig({ globalSetup: ['tests/global-setup.ts'] });
