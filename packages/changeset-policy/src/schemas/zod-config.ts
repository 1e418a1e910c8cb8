import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini keeps bundles that use these schemas small, but ships no error messages of its own: use
// zod's English ones, as the classic build does when imported. Imported by every schema module
// (and listed in package.json "sideEffects", so that bundlers keep it).
z.config(en());
