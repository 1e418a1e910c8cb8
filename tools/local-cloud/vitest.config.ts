import { projectConfig } from '../../vitest.shared.ts';

// The end-to-end files each start one emulator (moto) and run the real CLI: give them time.
export default projectConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
