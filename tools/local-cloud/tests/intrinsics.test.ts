import '@cfn-safe-deploy/state-machine/promise-with-resolvers';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';

// aws-local-stepfunctions 3.0.0 stripped every backslash from intrinsic results, so the JSON of a
// reason holding a quote was invalid locally: patched (patches/aws-local-stepfunctions@3.0.0.patch).
describe('States.JsonToString in aws-local-stepfunctions (patched)', () => {
  it('GIVEN a reason with quotes and a backslash WHEN turned into JSON THEN the text parses back to the same object', async () => {
    // Prepare
    const outcome = { result: 'failed', reason: 'Parameter "environmentName" must match [a-z\\-]+' };
    const machine = new StateMachine({
      StartAt: 'Describe',
      States: {
        Describe: { Type: 'Pass', Parameters: { 'cause.$': 'States.JsonToString($.outcome)' }, End: true },
      },
    } as never);
    // Act
    const output = (await machine.run({ outcome } as never).result) as { cause: string };
    // Assess
    expect(JSON.parse(output.cause)).toEqual(outcome);
  });
});
