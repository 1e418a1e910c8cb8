import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blueGreenStackNameFor,
  CLOUDFORMATION_NAME,
  changeSetNameFor,
  EXECUTION_NAME,
  executionArnFor,
  executionNameFor,
  PayloadValidationError,
  stackNameFor,
  toNameCharacters,
} from '../src/index.js';

describe('stackNameFor', () => {
  it('joins the environment and the stack name as the blog did', () => {
    expect(stackNameFor('prod', 'sample-lambda-app')).toBe('prod-sample-lambda-app');
  });

  it('refuses a name CloudFormation would refuse, naming it', () => {
    expect(() => stackNameFor('1prod', 'app')).toThrow(PayloadValidationError);
    expect(() => stackNameFor('prod', 'my_app')).toThrow(/"prod-my_app" is not a valid CloudFormation name/);
  });
});

describe('changeSetNameFor', () => {
  it('is readable for a CodePipeline job id', () => {
    const name = changeSetNameFor('prod-app', 'job-6f1b2c3d-aaaa-bbbb-cccc-0123456789ab');

    expect(name).toBe('prod-app-job-6f1b2c3d-aaaa-bbbb-cccc-0123456789ab');
  });

  it('is always a valid, deterministic change set name, distinct per deployment', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.string({ minLength: 1, maxLength: 80 }),
        (stack, first, second) => {
          const a = changeSetNameFor(stack, first);
          const b = changeSetNameFor(stack, second);

          expect(a).toMatch(CLOUDFORMATION_NAME);
          expect(a.length).toBeLessThanOrEqual(128);
          expect(changeSetNameFor(stack, first)).toBe(a);
          if (first !== second) expect(a).not.toBe(b);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('blueGreenStackNameFor', () => {
  it('derives a new stack name from the old one, the same for every retry of one job', () => {
    const name = blueGreenStackNameFor('prod-sample-lambda-app', 'job-1');

    expect(name).toMatch(/^prod-sample-lambda-app-bg-[0-9a-f]{8}$/);
    expect(blueGreenStackNameFor('prod-sample-lambda-app', 'job-1')).toBe(name);
    expect(blueGreenStackNameFor('prod-sample-lambda-app', 'job-2')).not.toBe(name);
  });

  it('fits 128 characters even for the longest stack name', () => {
    const name = blueGreenStackNameFor(`a${'b'.repeat(127)}`, 'job-1');

    expect(name.length).toBeLessThanOrEqual(128);
    expect(name).toMatch(CLOUDFORMATION_NAME);
  });
});

describe('executionNameFor', () => {
  it('keeps a CodePipeline job id readable', () => {
    expect(executionNameFor('6f1b2c3d-aaaa-bbbb-cccc-0123456789ab')).toBe(
      'job-6f1b2c3d-aaaa-bbbb-cccc-0123456789ab',
    );
  });

  it('always yields a valid, deterministic Step Functions name, distinct per job', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 300 }),
        fc.string({ minLength: 1, maxLength: 300 }),
        (a, b) => {
          const name = executionNameFor(a);

          expect(name).toMatch(EXECUTION_NAME);
          expect(name.length).toBeLessThanOrEqual(80);
          expect(executionNameFor(a)).toBe(name);
          if (a !== b) expect(executionNameFor(b)).not.toBe(name);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses an empty job id', () => {
    expect(() => executionNameFor('')).toThrow(/jobId: must not be empty/);
  });
});

describe('toNameCharacters', () => {
  it('collapses every run of other characters into one hyphen and trims the ends', () => {
    expect(toNameCharacters('__deploy: job/42 (retry)__')).toBe('deploy-job-42-retry');
    expect(toNameCharacters('a--b')).toBe('a-b');
    expect(toNameCharacters('!!!')).toBe('');
  });
});

describe('executionArnFor', () => {
  it('is the ARN StartExecution gives an execution of that name', () => {
    expect(executionArnFor('arn:aws:states:eu-west-1:123456789012:stateMachine:Deploy', 'job-6f1b2c3d')).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:Deploy:job-6f1b2c3d',
    );
  });
});
