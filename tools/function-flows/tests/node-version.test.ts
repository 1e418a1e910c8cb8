import { describe, expect, it } from 'vitest';

// `nx run function-flows:test-node22` runs every test of this project again on Node.js 22 (Lambda's
// nodejs22.x), started by tools/node22, which says in CFN_SAFE_DEPLOY_NODE_MAJOR which major it
// started. In the `test` run on the toolchain's Node there is nothing to check.
describe('the Node.js running these tests', () => {
  it.runIf(process.env.CFN_SAFE_DEPLOY_NODE_MAJOR !== undefined)(
    'is the major that tools/node22 said it started',
    () => {
      expect(process.versions.node.split('.')[0]).toBe(process.env.CFN_SAFE_DEPLOY_NODE_MAJOR);
    },
  );
});
