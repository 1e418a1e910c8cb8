import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: this file is tools/ci-checks/{src,dist}/paths.*. */
export const WORKSPACE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
