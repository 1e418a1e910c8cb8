import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidPageFast } from '../src/input.js';
import { ChangeSetPageSchema } from '../src/schemas.js';

// Values that are sometimes of the right type and sometimes not, at every level of a page.
const scalar = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 4 }),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: scalar });
const target = fc.record(
  { Attribute: scalar, Name: scalar, RequiresRecreation: scalar, Path: scalar },
  { requiredKeys: [] },
);
const detail = fc.record(
  { Target: maybe(target), Evaluation: scalar, ChangeSource: scalar },
  { requiredKeys: [] },
);
const resourceChange = fc.record(
  {
    Action: maybe(fc.constantFrom('Add', 'Modify', 'Remove')),
    LogicalResourceId: scalar,
    ResourceType: scalar,
    Replacement: scalar,
    PolicyAction: scalar,
    ChangeSetId: scalar,
    Scope: maybe(fc.array(maybe(fc.string()), { maxLength: 2 })),
    Details: maybe(fc.array(maybe(detail), { maxLength: 2 })),
    BeforeContext: scalar,
  },
  { requiredKeys: [] },
);
const change = fc.record(
  { Type: scalar, ResourceChange: maybe(resourceChange), HookInvocationCount: scalar },
  { requiredKeys: [] },
);
const pageArb = fc.record(
  {
    ChangeSetId: maybe(fc.string()),
    ChangeSetName: scalar,
    StackName: scalar,
    Status: scalar,
    NextToken: scalar,
    Changes: maybe(fc.array(maybe(change), { maxLength: 4 })),
    CreationTime: scalar,
  },
  { requiredKeys: [] },
);

describe('the fast validity check of a page', () => {
  it('accepts only what the zod schema accepts, and accepts what it accepts', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(maybe(pageArb), (value) => {
        const zodOk = ChangeSetPageSchema.safeParse(value).success;
        expect(isValidPageFast(value)).toBe(zodOk);
      }),
      { numRuns: 3000 },
    );
  });
});
