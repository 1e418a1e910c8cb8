import {
  type Change,
  CloudFormationClient,
  DescribeChangeSetCommand,
  type DescribeChangeSetCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  blueGreenStackNameFor,
  MAX_FINDINGS_IN_STATE,
  type TaskInput,
} from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../src/handler.js';
import { inspectChangeSet } from '../src/inspect-change-set.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/prod-app/0a1b2c3d';
const CHANGE_SET_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-job-1/9f8e7d6c';
const NESTED_ARN = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/prod-app-Child-1/5a4b3c2d';
const SAFE = 'CAN-SAFELY-UPDATE-EXISTING-STACK';
const UNSAFE = 'RESOURCES-BEING-DELETED-OR-REPLACED';

type Overrides = {
  readonly next?: 'wait' | 'inspect' | 'no-changes' | 'failed';
  readonly changeSetArn?: string | null;
  readonly onUnsafeChange?: 'fail' | 'blue-green';
  readonly policy?: TaskInput<'inspectChangeSet'>['input']['policy'];
};

function state(overrides: Overrides = {}): TaskInput<'inspectChangeSet'> {
  const arn = overrides.changeSetArn === undefined ? CHANGE_SET_ARN : overrides.changeSetArn;
  return {
    input: {
      environmentName: 'prod',
      stackName: 'app',
      templatePath: 'template.json',
      revisionS3Bucket: 'artifacts',
      revisionS3Key: 'source.zip',
      onUnsafeChange: overrides.onUnsafeChange ?? 'fail',
      ...(overrides.policy === undefined ? {} : { policy: overrides.policy }),
    },
    deploymentId: 'job-1',
    changeSet: {
      changeSetName: 'prod-app-job-1',
      ...(arn === null ? {} : { changeSetArn: arn }),
      stackName: 'prod-app',
      stackId: STACK_ID,
      changeSetType: 'UPDATE',
      status: 'CREATE_COMPLETE',
      next: overrides.next ?? 'inspect',
      poll: { attempt: 2, waitSeconds: 4, waitedSeconds: 2, exhausted: false },
    },
  };
}

function change(
  action: string,
  logicalResourceId: string,
  resourceType = 'AWS::SQS::Queue',
  extra: Record<string, unknown> = {},
): Change {
  return {
    Type: 'Resource',
    ResourceChange: {
      Action: action,
      LogicalResourceId: logicalResourceId,
      ResourceType: resourceType,
      ...extra,
    },
  } as Change;
}

function page(
  changes: Change[],
  fields: Partial<DescribeChangeSetCommandOutput> = {},
): DescribeChangeSetCommandOutput {
  return {
    $metadata: {},
    ChangeSetId: CHANGE_SET_ARN,
    ChangeSetName: 'prod-app-job-1',
    StackId: STACK_ID,
    StackName: 'prod-app',
    Status: 'CREATE_COMPLETE',
    ExecutionStatus: 'AVAILABLE',
    Changes: changes,
    ...fields,
  };
}

const cfnMock = mockClient(CloudFormationClient);
const cfn = new CloudFormationClient({ region: 'us-east-1' });

/** The root change set updates nested stack Child, whose change set is served as `nested`. */
function serveNested(nested: DescribeChangeSetCommandOutput): void {
  cfnMock.on(DescribeChangeSetCommand, { ChangeSetName: CHANGE_SET_ARN }).resolves(
    page([
      change('Modify', 'Child', 'AWS::CloudFormation::Stack', {
        Replacement: 'False',
        ChangeSetId: NESTED_ARN,
      }),
    ]),
  );
  cfnMock.on(DescribeChangeSetCommand, { ChangeSetName: NESTED_ARN }).resolves(nested);
}

describe('inspectChangeSet', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('finds an in-place modification and an addition safe', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves(
        page([
          change('Modify', 'Queue', 'AWS::SQS::Queue', { Replacement: 'False' }),
          change('Add', 'Topic', 'AWS::SNS::Topic'),
        ]),
      );

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(result).toEqual({
      changeSetArn: CHANGE_SET_ARN,
      verdict: SAFE,
      findings: [],
      findingCount: 0,
      allowed: [],
      allowedCount: 0,
      changeCount: 2,
    });
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)[0]?.args[0].input).toEqual({
      ChangeSetName: CHANGE_SET_ARN,
      StackName: 'prod-app',
    });
  });

  it('finds a change set with no changes at all (outputs only) safe', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(page([]));

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(result).toMatchObject({ verdict: SAFE, changeCount: 0 });
  });

  it('finds a removed resource unsafe', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves(page([change('Remove', 'Orders', 'AWS::DynamoDB::Table', { PolicyAction: 'Delete' })]));

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findingCount).toBe(1);
    expect(result.findings[0]).toMatchObject({
      stackPath: [],
      logicalResourceId: 'Orders',
      action: 'Remove',
    });
    expect(result.blueGreenStackName).toBeUndefined();
  });

  it('finds a replacement unsafe (moto reports no Replacement: tested here only)', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(
      page([
        change('Modify', 'Orders', 'AWS::DynamoDB::Table', {
          Replacement: 'True',
          Details: [
            {
              Target: { Attribute: 'Properties', Name: 'TableName', RequiresRecreation: 'Always' },
              Evaluation: 'Static',
            },
          ],
        }),
      ]),
    );

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(result.verdict).toBe(UNSAFE);
    expect(result.findings[0]).toMatchObject({
      logicalResourceId: 'Orders',
      action: 'Modify',
      replacement: 'True',
    });
  });

  it('reads every page: a removal on the second page makes it unsafe', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand, { ChangeSetName: CHANGE_SET_ARN, StackName: 'prod-app' })
      .callsFake((input: { NextToken?: string }) =>
        input.NextToken === 'page-2'
          ? page([change('Remove', 'Old')])
          : page([change('Add', 'New')], { NextToken: 'page-2' }),
      );

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)).toHaveLength(2);
    expect(result).toMatchObject({ verdict: UNSAFE, findingCount: 1, changeCount: 2 });
  });

  it('reads nested change sets: a removal in a nested stack makes it unsafe', async () => {
    // Prepare
    serveNested(
      page([change('Remove', 'Bucket', 'AWS::S3::Bucket')], {
        ChangeSetId: NESTED_ARN,
        ChangeSetName: 'prod-app-Child-1',
      }),
    );

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(result).toMatchObject({ verdict: UNSAFE, findingCount: 1, changeCount: 2 });
    expect(result.findings[0]).toMatchObject({ stackPath: ['Child'], logicalResourceId: 'Bucket' });
  });

  it('judges the status of every nested change set: one still in progress makes it unsafe', async () => {
    // Prepare: the root is complete, its nested change set is not (its empty list means "not known yet")
    serveNested(
      page([], {
        ChangeSetId: NESTED_ARN,
        ChangeSetName: 'prod-app-Child-1',
        Status: 'CREATE_IN_PROGRESS',
      }),
    );

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(result).toMatchObject({ verdict: UNSAFE, findingCount: 1 });
    expect(result.findings[0]).toMatchObject({
      stackPath: [],
      logicalResourceId: 'Child',
      rule: 'change-set-complete',
    });
  });

  it('refuses, without retry, an endpoint that hands back the same NextToken again', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(page([], { NextToken: 'same' }));

    // Act
    const error = await inspectChangeSet(state(), { cfn }).catch((e: unknown) => e);

    // Assess: a bounded task that fails with a reason (SafetyRefusedError is never retried)
    expect(error).toMatchObject({ name: 'SafetyRefusedError' });
    expect((error as Error).message).toContain('handed back the NextToken "same" a second time');
    expect(cfnMock.commandCalls(DescribeChangeSetCommand)).toHaveLength(2);
  });

  it('refuses a DescribeChangeSet answer without a Changes list instead of reading it as "no changes"', async () => {
    // Prepare
    const { Changes: _none, ...withoutChanges } = page([]);
    cfnMock.on(DescribeChangeSetCommand).resolves(withoutChanges);

    // Act
    const error = await inspectChangeSet(state(), { cfn }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'SafetyRefusedError' });
    expect((error as Error).message).toContain('it has no Changes list');
  });

  it('names a blue/green stack when the change is unsafe and the input asks for blue/green', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(page([change('Remove', 'Old')]));

    // Act
    const result = await inspectChangeSet(state({ onUnsafeChange: 'blue-green' }), { cfn });

    // Assess
    expect(result.verdict).toBe(UNSAFE);
    expect(result.blueGreenStackName).toBe(blueGreenStackNameFor('prod-app', 'job-1'));
  });

  it('names no blue/green stack when the change is safe, even if the input allows blue/green', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(page([change('Add', 'New')]));

    // Act
    const result = await inspectChangeSet(state({ onUnsafeChange: 'blue-green' }), { cfn });

    // Assess
    expect(result.verdict).toBe(SAFE);
    expect(result.blueGreenStackName).toBeUndefined();
  });

  it("applies the input's policy: an allowed removal is listed apart and the verdict is safe", async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(page([change('Remove', 'Logs', 'AWS::Logs::LogGroup')]));
    const policy = {
      version: 1 as const,
      allow: [{ resourceType: 'AWS::Logs::*', actions: ['Remove' as const] }],
      allowRetainedRemovals: false,
      conditionalReplacement: 'unsafe' as const,
    };

    // Act
    const result = await inspectChangeSet(state({ policy }), { cfn });

    // Assess
    expect(result).toMatchObject({ verdict: SAFE, findingCount: 0, allowedCount: 1 });
    expect(result.allowed[0]).toMatchObject({ logicalResourceId: 'Logs', allowedBy: 'allow[0]' });
  });

  it('caps the findings kept in the state and keeps their total', async () => {
    // Prepare
    const removals = Array.from({ length: MAX_FINDINGS_IN_STATE + 10 }, (_, i) =>
      change('Remove', `Queue${i}`),
    );
    cfnMock.on(DescribeChangeSetCommand).resolves(page(removals));

    // Act
    const result = await inspectChangeSet(state(), { cfn });

    // Assess
    expect(result.findings).toHaveLength(MAX_FINDINGS_IN_STATE);
    expect(result.findingCount).toBe(MAX_FINDINGS_IN_STATE + 10);
    expect(result.changeCount).toBe(MAX_FINDINGS_IN_STATE + 10);
  });

  it.each(['wait', 'no-changes', 'failed'] as const)(
    'refuses to inspect a change set whose next step is %s',
    async (next) => {
      // Act
      const result = inspectChangeSet(state({ next }), { cfn });

      // Assess
      await expect(result).rejects.toMatchObject({
        name: 'SafetyRefusedError',
        message: expect.stringContaining(next),
      });
      expect(cfnMock.calls()).toHaveLength(0);
    },
  );

  it('refuses to inspect without a change set ARN', async () => {
    // Act
    const result = inspectChangeSet(state({ changeSetArn: null }), { cfn });

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'SafetyRefusedError',
      message: expect.stringContaining('no ARN'),
    });
  });

  it('refuses a change set that is no longer executable (the stack changed meanwhile)', async () => {
    // Prepare
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves(page([change('Add', 'New')], { ExecutionStatus: 'OBSOLETE' }));

    // Act
    const result = inspectChangeSet(state(), { cfn });

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'SafetyRefusedError',
      message: expect.stringContaining('OBSOLETE'),
    });
  });

  it('asks for a retry when a page read is throttled', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    // Act
    const result = inspectChangeSet(state(), { cfn });

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('fails with a CloudFormationError naming the change set when a nested read is denied', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand, { ChangeSetName: CHANGE_SET_ARN }).resolves(
      page([
        change('Modify', 'Child', 'AWS::CloudFormation::Stack', {
          Replacement: 'False',
          ChangeSetId: NESTED_ARN,
        }),
      ]),
    );
    cfnMock
      .on(DescribeChangeSetCommand, { ChangeSetName: NESTED_ARN })
      .rejects(awsError('AccessDenied', 'not authorized', 403));

    // Act
    const result = inspectChangeSet(state(), { cfn });

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CloudFormationError',
      message: expect.stringContaining(NESTED_ARN),
    });
  });
});

describe('handler', () => {
  beforeEach(() => {
    cfnMock.reset();
  });

  it('returns an inspection that matches the contract', async () => {
    // Prepare
    cfnMock.on(DescribeChangeSetCommand).resolves(page([change('Remove', 'Old')]));

    // Act
    const result = await handler(state());

    // Assess
    expect(result).toMatchObject({ verdict: UNSAFE, findingCount: 1 });
  });

  it('refuses an event with an invalid policy as invalid input', async () => {
    // Prepare
    const event = { ...state(), input: { ...state().input, policy: { version: 2 } } };

    // Act
    const result = handler(event);

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringContaining('policy'),
    });
  });
});
