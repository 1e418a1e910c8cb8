import { demo } from './demo.js';
import { lambdaBundles } from './lambda-bundles.js';
import { policyScale } from './policy-scale.js';
import { polling } from './polling.js';
import type { BenchSuite } from './types.js';

/** Every benchmark suite, in the order `pnpm bench` runs them. */
export const suites: readonly BenchSuite[] = [policyScale, lambdaBundles, demo, polling];
