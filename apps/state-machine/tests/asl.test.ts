import { describe, expect, it } from 'vitest';
import {
  functionArn,
  functionOf,
  synthesizeDeployDefinition,
  TASK_STATES,
  type TaskStateName,
} from '../src/index.js';

describe('synthesizeDeployDefinition', () => {
  it('GIVEN the app WHEN the definition is exported THEN each Task invokes the function of its task (the blog wired "Delete Change Set" to execute)', () => {
    // Act
    const { definition, taskFunctions } = synthesizeDeployDefinition();
    // Assess
    const expected = Object.fromEntries(
      (Object.entries(TASK_STATES) as [TaskStateName, (typeof TASK_STATES)[TaskStateName]][]).map(
        ([state, task]) => [state, functionOf(task)],
      ),
    );
    expect(taskFunctions).toEqual(expected);
    expect(taskFunctions['Delete Change Set']).toBe('delete-change-set');
    expect(taskFunctions['Delete No-op Change Set']).toBe('delete-change-set');
    expect(definition.States['Delete Change Set']?.Resource).toBe(functionArn('delete-change-set'));
    expect(definition.StartAt).toBe('Start Deployment');
  });

  it('GIVEN the exported definition WHEN it is read THEN every Next names a state and every state is reachable', () => {
    // Prepare
    const { definition } = synthesizeDeployDefinition();
    const names = new Set(Object.keys(definition.States));
    const reached = new Set<string>();
    const targets = (state: Record<string, unknown>): string[] => {
      const next: string[] = [];
      if (typeof state.Next === 'string') next.push(state.Next);
      if (typeof state.Default === 'string') next.push(state.Default);
      for (const list of [state.Choices, state.Catch]) {
        if (Array.isArray(list)) for (const item of list) next.push((item as { Next: string }).Next);
      }
      return next;
    };
    // Act
    const queue = [definition.StartAt];
    while (queue.length > 0) {
      const name = queue.pop() as string;
      if (reached.has(name)) continue;
      reached.add(name);
      const state = definition.States[name];
      expect(state, `state "${name}"`).toBeDefined();
      if (state) queue.push(...targets(state));
    }
    // Assess
    expect([...reached].sort()).toEqual([...names].sort());
    for (const name of names) expect(name.length).toBeLessThanOrEqual(80);
  });
});
