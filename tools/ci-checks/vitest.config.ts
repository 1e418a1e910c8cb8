import { projectConfig } from '../../vitest.shared.ts';

// The affected-graph test runs Nx once per project in a temporary copy of the repository.
export default projectConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
