import type { SampleAppStack } from './stack.js';

/** Written reasons for the AwsSolutions findings this stack keeps on purpose. */
export function acknowledgeNagFindings(_stack: SampleAppStack): void {}
