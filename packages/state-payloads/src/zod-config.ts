import { en } from 'zod/locales';
import { config } from 'zod/mini';

// zod/mini (the tree-shakable build these schemas use, to keep the Lambda bundles small) ships no
// error messages of its own: use zod's English ones, as the classic build does when imported.
config(en());
