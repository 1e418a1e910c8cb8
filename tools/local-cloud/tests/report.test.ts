import { describe, expect, it } from 'vitest';
import { elideTemplateBodies, TEMPLATE_BODY_ELIDED } from '../src/report.js';
import type { StateRun } from '../src/step-functions.js';

const template = { body: 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n', bytes: 46 };

function taskRun(name: string, input: unknown, output: unknown): StateRun {
  return { name, type: 'Task', enteredAt: 0, exitedAt: 1, input, output, retries: 0 };
}

describe('elideTemplateBodies', () => {
  it('shows the template once, in the first output that holds it, and elides it everywhere else', () => {
    // Prepare
    const start = { input: { stackName: 'app' }, deploymentId: 'job-1' };
    const loaded = { ...start, template };
    const checked = { ...loaded, stack: { next: 'update' } };
    const states = [
      taskRun('Load Template', start, loaded),
      taskRun('Check Stack Existence', loaded, checked),
      taskRun('Create Change Set', checked, { ...checked, changeSet: {} }),
    ];

    // Act
    const shown = elideTemplateBodies(states);

    // Assess
    const elided = { ...template, body: TEMPLATE_BODY_ELIDED };
    expect(shown.map((state) => state.output)).toEqual([
      loaded,
      { ...checked, template: elided },
      { ...checked, template: elided, changeSet: {} },
    ]);
    expect(shown.map((state) => state.input)).toEqual([
      start,
      { ...loaded, template: elided },
      { ...checked, template: elided },
    ]);
    expect(states[1]?.input).toEqual(loaded);
  });

  it('leaves a staged template (a URL, no body) and states without one as they are', () => {
    // Prepare
    const staged = { input: {}, template: { url: 'https://b.s3.amazonaws.com/t', bytes: 60_000 } };
    const states = [taskRun('Create Stack', staged, staged), taskRun('Wait', 'text', undefined)];

    // Act / Assess
    expect(elideTemplateBodies(states)).toEqual(states);
  });
});
