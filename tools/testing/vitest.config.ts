import { projectConfig } from '../../vitest.shared.ts';

export default projectConfig({ testTimeout: 60_000 });
