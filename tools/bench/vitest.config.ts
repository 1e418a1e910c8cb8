import { projectConfig } from '../../vitest.shared.ts';

// Building a floor bundle runs esbuild once per test.
export default projectConfig({ testTimeout: 60_000 });
