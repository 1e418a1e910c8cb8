import type { ExecutionInput } from '@cfn-safe-deploy/state-payloads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientRequestToken, stackRequestFields } from '../src/stack-request.js';

const input: ExecutionInput = {
  environmentName: 'prod',
  stackName: 'app',
  templatePath: 'template.yaml',
  revisionS3Bucket: 'artifacts',
  revisionS3Key: 'source.zip',
  parameters: { Stage: 'prod', Size: '3' },
  capabilities: ['CAPABILITY_IAM'],
  tags: { team: 'payments' },
  onUnsafeChange: 'fail',
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('stackRequestFields', () => {
  it('maps parameters, capabilities and tags, adding the deployment tag', () => {
    // Act
    const fields = stackRequestFields(input, {});

    // Assess
    expect(fields).toEqual({
      Parameters: [
        { ParameterKey: 'Stage', ParameterValue: 'prod' },
        { ParameterKey: 'Size', ParameterValue: '3' },
      ],
      Capabilities: ['CAPABILITY_IAM'],
      Tags: [{ Key: 'team', Value: 'payments' }],
    });
  });

  it('sends empty lists when the input has no parameters, capabilities or tags', () => {
    const bare: ExecutionInput = {
      ...input,
      parameters: undefined,
      capabilities: undefined,
      tags: undefined,
    };
    expect(stackRequestFields(bare, {})).toEqual({
      Parameters: [],
      Capabilities: [],
      Tags: [],
    });
  });

  it('adds the execution role from CFN_EXECUTION_ROLE_ARN', () => {
    // Prepare
    vi.stubEnv('CFN_EXECUTION_ROLE_ARN', 'arn:aws:iam::123456789012:role/cfn-exec');

    // Act
    const fields = stackRequestFields(input);

    // Assess
    expect(fields.RoleARN).toBe('arn:aws:iam::123456789012:role/cfn-exec');
  });

  it('has no RoleARN when none is configured', () => {
    vi.stubEnv('CFN_EXECUTION_ROLE_ARN', '');
    expect(stackRequestFields(input)).not.toHaveProperty('RoleARN');
  });
});

describe('clientRequestToken', () => {
  const valid = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

  it('is deterministic and readable', () => {
    const token = clientRequestToken('job-0f3c', 'create-stack');
    expect(token).toBe(clientRequestToken('job-0f3c', 'create-stack'));
    expect(token).toMatch(/^create-stack-job-0f3c-[0-9a-f]{12}$/);
  });

  it('differs between operations and deployments', () => {
    const tokens = new Set([
      clientRequestToken('job-1', 'create-stack'),
      clientRequestToken('job-1', 'delete-stack'),
      clientRequestToken('job-2', 'create-stack'),
      clientRequestToken('job_1', 'create-stack'),
    ]);
    expect(tokens.size).toBe(4);
  });

  it.each([
    ['underscores and dots', 'job_1.2', 'create'],
    ['a long id', 'j'.repeat(200), 'create-stack'],
    ['only invalid characters', '___', '...'],
    ['a leading hyphen', '-job', '-op'],
  ])('is a valid token for %s', (_, deploymentId, operation) => {
    const token = clientRequestToken(deploymentId, operation);
    expect(token).toMatch(valid);
    expect(token.length).toBeLessThanOrEqual(128);
  });
});
