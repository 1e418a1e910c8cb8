import { describe, expect, it } from 'vitest';
import {
  DeployStateSchema,
  MAX_TEMPLATE_BODY_BYTES,
  ResultKeys,
  TASK_NAMES,
  Tasks,
  TemplateSourceSchema,
} from '../src/index.js';
import { validInput } from './fixtures.js';

const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-sample-lambda-app/1a2b';
const poll = { attempt: 1, waitSeconds: 5, waitedSeconds: 5, exhausted: false };
const template = { body: 'Resources: {}', bytes: 13 };
const missingStack = {
  stackName: 'prod-sample-lambda-app',
  exists: false,
  changeSetType: 'CREATE',
  next: 'create',
  reason: 'missing',
};

describe('deploy state', () => {
  it('derives the task names and result keys from the declarations, each result key a field of the state', () => {
    expect(TASK_NAMES).toEqual(Object.keys(Tasks));
    expect(ResultKeys).toEqual({
      publishAssets: 'assets',
      loadTemplate: 'template',
      checkStackExistence: 'stack',
      createStack: 'operation',
      deleteStack: 'operation',
      getStackStatus: 'operation',
      createChangeSet: 'changeSet',
      getChangeSetStatus: 'changeSet',
      inspectChangeSet: 'inspection',
      executeChangeSet: 'operation',
      deleteChangeSet: 'changeSetDeletion',
    });
    for (const key of Object.values(ResultKeys)) expect(Object.keys(DeployStateSchema.shape)).toContain(key);
  });

  it('gives every task a function package of its own', () => {
    const functions = Object.values(Tasks).map((task) => task.functionName);

    expect(new Set(functions).size).toBe(functions.length);
    for (const name of functions) expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('accepts the state the gate (Check Stack Existence) receives', () => {
    const state = Tasks.checkStackExistence.input.parse({ input: validInput, deploymentId: 'job-1' });

    expect(state.input.onUnsafeChange).toBe('fail');
  });

  it('requires the results a task depends on', () => {
    const result = Tasks.executeChangeSet.input.safeParse({ input: validInput, deploymentId: 'job-1' });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['changeSet', 'inspection']);
  });

  it('round-trips a stack operation result', () => {
    const operation = {
      kind: 'update',
      stackName: 'prod-sample-lambda-app',
      stackId,
      startedAt: '2026-11-26T05:00:00.000Z',
      outcome: 'in-progress',
      poll,
    };

    expect(Tasks.getStackStatus.result.parse(operation)).toEqual(operation);
  });

  it('refuses a result with a field no task writes', () => {
    const result = Tasks.deleteChangeSet.result.safeParse({ deleted: true, extra: 1 });

    expect(result.success).toBe(false);
  });

  it.each(['checkStackExistence', 'inspectChangeSet'] as const)(
    'has %s check the whole execution input strictly, policy included',
    (task) => {
      const state = {
        input: { ...validInput, policy: { version: 2 } },
        deploymentId: 'job-1',
        changeSet: {
          changeSetName: 'cs-1',
          changeSetArn: 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs-1/1',
          stackName: 'prod-sample-lambda-app',
          changeSetType: 'UPDATE',
          status: 'CREATE_COMPLETE',
          next: 'inspect',
          poll,
        },
      };

      const result = Tasks[task].input.safeParse(state);

      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['input.policy.version']);
    },
  );

  it('lets the other tasks read the execution input without its policy, or not at all', () => {
    const state = { input: { ...validInput, policy: { version: 2 } }, deploymentId: 'job-1' };
    const stack = {
      stackName: 'prod-sample-lambda-app',
      exists: true,
      stackId,
      changeSetType: 'UPDATE',
      next: 'update',
      reason: 'exists',
    };

    const checked = Tasks.loadTemplate.input.parse(state);
    const created = Tasks.createChangeSet.input.parse({ ...state, template, stack });
    const deleted = Tasks.deleteStack.input.parse({ ...state, stack });

    expect(checked.input).not.toHaveProperty('policy');
    expect(created.input).not.toHaveProperty('policy');
    expect(created.input.stackName).toBe(validInput.stackName);
    expect(deleted).not.toHaveProperty('input');
  });

  it('still checks the execution input fields a later task reads', () => {
    const result = Tasks.createStack.input.safeParse({
      input: { ...validInput, templatePath: '../outside.yaml' },
      deploymentId: 'job-1',
      template,
      stack: missingStack,
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['input.templatePath']);
  });

  it('requires the template to create the stack or the change set', () => {
    const state = {
      input: validInput,
      deploymentId: 'job-1',
      stack: missingStack,
    };

    for (const task of ['createStack', 'createChangeSet'] as const) {
      const result = Tasks[task].input.safeParse(state);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['template']);
    }
  });
});

describe('template result', () => {
  it('accepts an inline template and a staged one', () => {
    const staged = {
      url: 'https://templates.s3.us-east-1.amazonaws.com/templates/prod-app/job-1.template',
      bytes: 80_000,
    };

    expect(TemplateSourceSchema.parse(template)).toEqual(template);
    expect(TemplateSourceSchema.parse(staged)).toEqual(staged);
  });

  it('refuses an inline body over the 51,200 bytes CloudFormation takes inline', () => {
    const body = `# ${'é'.repeat(25_600)}`;

    const result = TemplateSourceSchema.safeParse({ body, bytes: 51_202 });

    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(`at most ${MAX_TEMPLATE_BODY_BYTES} bytes`);
  });

  it.each([
    ['both a body and a URL', { body: 'Resources: {}', url: 'https://bucket.s3.amazonaws.com/t', bytes: 13 }],
    ['an empty body', { body: '', bytes: 0 }],
    ['a URL that is not http(s)', { url: 'file:///etc/passwd', bytes: 10 }],
    ['no size', { body: 'Resources: {}' }],
  ])('refuses %s', (_, value) => {
    expect(TemplateSourceSchema.safeParse(value).success).toBe(false);
  });
});
