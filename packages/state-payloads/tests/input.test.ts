import { describe, expect, it } from 'vitest';
import {
  ExecutionInputSchema,
  PayloadValidationError,
  parseExecutionInput,
  parseInputFile,
  UserParametersSchema,
} from '../src/index.js';
import { validInput } from './fixtures.js';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadValidationError);
    return [...(error as PayloadValidationError).problems];
  }
  throw new Error('expected a PayloadValidationError');
}

describe('execution input', () => {
  it('accepts the documented input and defaults onUnsafeChange to "fail"', () => {
    // Act
    const input = parseExecutionInput(validInput);

    // Assess
    expect(input.onUnsafeChange).toBe('fail');
    expect(input.stackName).toBe('sample-lambda-app');
  });

  it('accepts every optional field of the input contract (docs/contracts.md)', () => {
    const input = parseExecutionInput({
      ...validInput,
      parameters: { MemorySize: '256' },
      capabilities: ['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND'],
      tags: { team: 'payments' },
      onUnsafeChange: 'blue-green',
      policy: { version: 1, allow: [{ resourceType: 'AWS::SQS::*', actions: ['Replace'] }] },
    });

    expect(input.parameters).toEqual({ MemorySize: '256' });
    expect(input.onUnsafeChange).toBe('blue-green');
  });

  it('names an unknown field', () => {
    const problems = problemsOf(() => parseExecutionInput({ ...validInput, stackname: 'x' }));

    expect(problems).toEqual(['(top level) has unknown key "stackname"']);
  });

  it('names a bad capability with the value received', () => {
    const problems = problemsOf(() =>
      parseExecutionInput({ ...validInput, capabilities: ['CAPABILITY_ADMIN'] }),
    );

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('capabilities[0]');
    expect(problems[0]).toContain('"CAPABILITY_ADMIN"');
  });

  it('names a bad onUnsafeChange and lists what is expected', () => {
    const problems = problemsOf(() => parseExecutionInput({ ...validInput, onUnsafeChange: 'bluegreen' }));

    expect(problems[0]).toMatch(/^onUnsafeChange is "bluegreen"; expected "fail" or "blue-green"$/);
  });

  it.each([
    ['../outside.yaml', 'must not leave the source artifact'],
    ['/etc/passwd', 'must be relative'],
    ['infra\\template.yaml', 'forward slashes'],
    ['', 'must name a file'],
  ])('rejects the template path %j', (templatePath, expected) => {
    const problems = problemsOf(() => parseExecutionInput({ ...validInput, templatePath }));

    expect(problems.join('\n')).toContain(expected);
    expect(problems.join('\n')).toContain('templatePath');
  });

  it('rejects a stack name that CloudFormation would refuse', () => {
    const problems = problemsOf(() => parseExecutionInput({ ...validInput, stackName: 'my_stack' }));

    expect(problems[0]).toContain('stackName');
    expect(problems[0]).toContain('"my_stack"');
  });

  it('rejects an environment-stack name longer than 128 characters', () => {
    const problems = problemsOf(() => parseExecutionInput({ ...validInput, stackName: 'a'.repeat(124) }));

    expect(problems[0]).toContain('longer than 128 characters');
  });

  it('rejects tags that AWS reserves and non-string parameters', () => {
    const problems = problemsOf(() =>
      parseExecutionInput({ ...validInput, tags: { 'aws:owner': 'me' }, parameters: { Memory: 256 } }),
    );

    expect(problems.join('\n')).toContain('reserved by AWS');
    expect(problems.join('\n')).toContain('parameters.Memory');
  });

  it('rejects an invalid policy with the policy field named', () => {
    const problems = problemsOf(() =>
      parseExecutionInput({ ...validInput, policy: { version: 1, allow: [{ actions: ['Delete'] }] } }),
    );

    expect(problems.join('\n')).toContain('policy.allow[0].actions[0]');
  });

  it('requires the revision fields in the execution input but not in the input file', () => {
    const { revisionS3Bucket: _bucket, revisionS3Key: _key, ...file } = validInput;

    expect(parseInputFile(file).stackName).toBe('sample-lambda-app');
    expect(ExecutionInputSchema.safeParse(file).success).toBe(false);
    expect(problemsOf(() => parseExecutionInput(file)).join('\n')).toContain('revisionS3Bucket');
  });

  it('reports a value that is not an object at all', () => {
    const problems = problemsOf(() => parseInputFile('prod'));

    expect(problems[0]).toContain('(got "prod")');
  });
});

describe('UserParameters', () => {
  it('defaults the file name to state_machine_input.json', () => {
    expect(UserParametersSchema.parse({ s3Bucket: 'inputs-bucket' })).toEqual({
      s3Bucket: 'inputs-bucket',
      stateMachineFile: 'state_machine_input.json',
    });
  });

  it('rejects unknown keys', () => {
    expect(UserParametersSchema.safeParse({ bucket: 'x' }).success).toBe(false);
  });
});
