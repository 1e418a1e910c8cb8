import { projectConfig } from '../../../vitest.shared.ts';

export default projectConfig({ env: { POWERTOOLS_LOG_LEVEL: 'SILENT' } });
