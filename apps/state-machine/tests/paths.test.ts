import { OutcomeSchema } from '@cfn-safe-deploy/state-payloads';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHANGE_SET_ARN,
  ContractViolationError,
  changeSet,
  deployed,
  EXECUTION_NAME,
  INPUT,
  inspection,
  operation,
  poll,
  REPLACE_FINDING,
  runDeploy,
  STACK_ID,
  STACK_NAME,
  type Stub,
  type Stubs,
  sequence,
  stackCheck,
  taskError,
} from './harness.js';

const BLUE_GREEN_STACK = `${STACK_NAME}-bg-0a1b2c3d`;
const BLUE_GREEN_ID = `arn:aws:cloudformation:us-east-1:123456789012:stack/${BLUE_GREEN_STACK}/abcd`;

/** Stubs of a stack that already exists and takes a safe update. */
function safeUpdateStubs(): Stubs {
  return {
    'check-stack-existence': () => stackCheck('update'),
    'create-change-set': () => changeSet('wait'),
    'get-change-set-status': () =>
      changeSet('inspect', { poll: poll({ attempt: 2, waitSeconds: 4, waitedSeconds: 2 }) }),
    'inspect-change-set': () => inspection(true),
    'execute-change-set': () => operation('update', 'in-progress'),
    'get-stack-status': () => operation('update', 'succeeded', { status: 'UPDATE_COMPLETE' }),
  };
}

/** A delete-change-set stub that records the ARN of every change set it is asked to delete. */
function recordDeletions(): { readonly arns: unknown[]; readonly stub: Stub } {
  const arns: unknown[] = [];
  return {
    arns,
    stub: (state) => {
      arns.push(state.changeSet?.changeSetArn);
      return { changeSetArn: CHANGE_SET_ARN, deleted: true };
    },
  };
}

function causeOf(cause: string | undefined): unknown {
  return OutcomeSchema.parse(JSON.parse(cause ?? 'null'));
}

describe('runDeploy (the harness)', () => {
  it('GIVEN a stub whose result breaks the payload contract WHEN the run does not allow it THEN it rejects naming the state', async () => {
    // Prepare: a stack check without the `next` every result must carry
    const { next: _, ...withoutNext } = stackCheck('create');
    const stubs: Stubs = { 'check-stack-existence': () => withoutNext };
    // Act
    const run = runDeploy(stubs);
    // Assess
    await expect(run).rejects.toThrow(ContractViolationError);
    await expect(run).rejects.toThrow(/Check Stack Existence result: .*next/s);
  });

  it('GIVEN a Task input that breaks the payload contract WHEN the run does not allow it THEN it rejects', async () => {
    // Prepare: an execution input without the stack name every task after Load Template reads
    const { stackName: _, ...input } = INPUT;
    const stubs: Stubs = { 'check-stack-existence': () => stackCheck('refuse') };
    // Act / Assess
    await expect(runDeploy(stubs, input)).rejects.toThrow(/Load Template input: .*stackName/s);
  });
});

describe('Deploy state machine paths (aws-local-stepfunctions, stub tasks)', () => {
  beforeAll(() => {
    deployed();
  });

  it('GIVEN a missing stack WHEN deploying THEN it creates the stack and reports "created"', async () => {
    // Prepare
    const stubs: Stubs = {
      'check-stack-existence': () => stackCheck('create'),
      'create-stack': () => operation('create', 'in-progress'),
      'get-stack-status': sequence(
        () =>
          operation('create', 'in-progress', {
            status: 'CREATE_IN_PROGRESS',
            poll: poll({ attempt: 2, waitSeconds: 10, waitedSeconds: 5 }),
          }),
        () => operation('create', 'succeeded', { status: 'CREATE_COMPLETE' }),
      ),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Stack',
      'Wait Stack Creation',
      'Get Stack Creation Status',
      'Stack Created?',
      'Wait Stack Creation',
      'Get Stack Creation Status',
      'Stack Created?',
      'Stack Created',
      'Deployment Succeeded',
    ]);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toEqual({ result: 'created', stackName: STACK_NAME, stackId: STACK_ID });
    expect(OutcomeSchema.parse(run.output)).toEqual(run.output);
  });

  it('GIVEN a safe change WHEN deploying THEN it executes the change set and reports "updated"', async () => {
    // Act
    const run = await runDeploy(safeUpdateStubs());
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Change Set',
      'Change Set Created?',
      'Wait Change Set Creation',
      'Get Change Set Status',
      'Change Set Created?',
      'Inspect Change Set Changes',
      'Safe to Update Infra?',
      'Execute Change Set',
      'Wait Stack Update',
      'Get Stack Update Status',
      'Stack Updated?',
      'Stack Updated',
      'Deployment Succeeded',
    ]);
    expect(run.output).toEqual({ result: 'updated', stackName: STACK_NAME, stackId: STACK_ID });
  });

  it('GIVEN an unsafe change WHEN deploying THEN the change set is deleted, never executed, and the outcome is "refused"', async () => {
    // Prepare
    const calls: string[] = [];
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'inspect-change-set': () => inspection(false),
      'execute-change-set': () => {
        calls.push('execute');
        return operation('update', 'in-progress');
      },
      'delete-change-set': (state) => {
        calls.push(`delete ${state.changeSet?.changeSetArn}`);
        return { changeSetArn: CHANGE_SET_ARN, deleted: true };
      },
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Change Set',
      'Change Set Created?',
      'Wait Change Set Creation',
      'Get Change Set Status',
      'Change Set Created?',
      'Inspect Change Set Changes',
      'Safe to Update Infra?',
      'Delete Change Set',
      'Blue/Green?',
      'Change Set Refused',
      'Describe Refusal',
      'Deployment Refused',
    ]);
    expect(calls).toEqual([`delete ${CHANGE_SET_ARN}`]);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DeploymentRefused');
    expect(causeOf(run.cause)).toEqual({
      result: 'refused',
      stackName: STACK_NAME,
      verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
      findings: [REPLACE_FINDING],
      findingCount: 1,
    });
  });

  it('GIVEN a verdict other than the safe one WHEN deciding THEN the change set is never executed', async () => {
    // Prepare: a verdict string the Choice does not know must fall to the default (delete), never to execute.
    const executed: string[] = [];
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'inspect-change-set': () => ({ ...inspection(false), verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK ' }),
      'execute-change-set': () => {
        executed.push('execute');
        return operation('update', 'in-progress');
      },
      'delete-change-set': () => ({ changeSetArn: CHANGE_SET_ARN, deleted: true }),
    };
    // Act: the verdict breaks the contract on purpose
    const run = await runDeploy(stubs, INPUT, { allowContractViolations: true });
    // Assess
    expect(run.contractViolations).toEqual([
      expect.stringMatching(/^Inspect Change Set Changes result: .*verdict/s),
    ]);
    expect(executed).toEqual([]);
    expect(run.path).toContain('Delete Change Set');
    expect(run.path).not.toContain('Execute Change Set');
  });

  it('GIVEN a change set without changes WHEN deploying THEN it deletes the change set and reports "no-changes"', async () => {
    // Prepare
    const stubs: Stubs = {
      'check-stack-existence': () => stackCheck('update'),
      'create-change-set': () => changeSet('wait'),
      'get-change-set-status': () =>
        changeSet('no-changes', {
          reason: "The submitted information didn't contain changes.",
          poll: poll({ attempt: 2, waitedSeconds: 2 }),
        }),
      'delete-change-set': () => ({ changeSetArn: CHANGE_SET_ARN, deleted: true }),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Change Set',
      'Change Set Created?',
      'Wait Change Set Creation',
      'Get Change Set Status',
      'Change Set Created?',
      'Delete No-op Change Set',
      'No Changes',
      'Deployment Succeeded',
    ]);
    expect(run.output).toEqual({ result: 'no-changes', stackName: STACK_NAME });
  });

  it('GIVEN a stack in ROLLBACK_COMPLETE WHEN deploying THEN it deletes the stack and creates it again', async () => {
    // Prepare
    const stubs: Stubs = {
      'check-stack-existence': () => stackCheck('recreate', { status: 'ROLLBACK_COMPLETE' }),
      'delete-stack': () => operation('delete', 'in-progress'),
      'create-stack': () => operation('create', 'in-progress'),
      'get-stack-status': (state) =>
        state.operation?.kind === 'delete'
          ? operation('delete', 'succeeded', { status: 'DELETE_COMPLETE' })
          : operation('create', 'succeeded', { status: 'CREATE_COMPLETE' }),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Delete Failed Stack',
      'Wait Stack Deletion',
      'Get Stack Deletion Status',
      'Stack Deleted?',
      'Create Stack',
      'Wait Stack Creation',
      'Get Stack Creation Status',
      'Stack Created?',
      'Stack Created',
      'Deployment Succeeded',
    ]);
    expect(run.output).toEqual({ result: 'created', stackName: STACK_NAME, stackId: STACK_ID });
  });

  it('GIVEN a stack left in REVIEW_IN_PROGRESS WHEN its CREATE change set is executed THEN the outcome is "created"', async () => {
    // Prepare
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'check-stack-existence': () =>
        stackCheck('update', { status: 'REVIEW_IN_PROGRESS', changeSetType: 'CREATE' }),
      'execute-change-set': () => operation('create', 'in-progress'),
      'get-stack-status': () => operation('create', 'succeeded', { status: 'CREATE_COMPLETE' }),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.slice(-4)).toEqual([
      'Get Stack Update Status',
      'Stack Updated?',
      'Stack Created',
      'Deployment Succeeded',
    ]);
    expect(run.output).toEqual({ result: 'created', stackName: STACK_NAME, stackId: STACK_ID });
  });

  it("GIVEN an update that rolls back WHEN deploying THEN it fails with CloudFormation's reason", async () => {
    // Prepare
    // No quotes: aws-local-stepfunctions strips the backslashes of States.JsonToString's result (see README).
    const reason =
      'Function (AWS::Lambda::Function): Resource handler returned message: MemorySize 20000 is above the maximum';
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'get-stack-status': sequence(
        () =>
          operation('update', 'in-progress', {
            status: 'UPDATE_ROLLBACK_IN_PROGRESS',
            poll: poll({ attempt: 2, waitSeconds: 10, waitedSeconds: 5 }),
          }),
        () => operation('update', 'failed', { status: 'UPDATE_ROLLBACK_COMPLETE', reason }),
      ),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.slice(12)).toEqual([
      'Execute Change Set',
      'Wait Stack Update',
      'Get Stack Update Status',
      'Stack Updated?',
      'Wait Stack Update',
      'Get Stack Update Status',
      'Stack Updated?',
      'Stack Update Failed',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(run.error).toBe('DeploymentFailed');
    expect(causeOf(run.cause)).toEqual({
      result: 'failed',
      stage: 'stack update',
      stackName: STACK_NAME,
      reason,
    });
  });

  it('GIVEN a failed operation without a reason WHEN deploying THEN the outcome still says it failed', async () => {
    // Prepare
    const stubs: Stubs = {
      'check-stack-existence': () => stackCheck('create'),
      'create-stack': () => operation('create', 'in-progress'),
      'get-stack-status': () => operation('create', 'failed', { status: 'ROLLBACK_COMPLETE' }),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.slice(-3)).toEqual([
      'Stack Creation Failed Without Reason',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(causeOf(run.cause)).toMatchObject({
      result: 'failed',
      stage: 'stack creation',
      stackName: STACK_NAME,
    });
  });

  it('GIVEN an unsafe change and onUnsafeChange blue-green WHEN deploying THEN it creates a new stack and reports it', async () => {
    // Prepare
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'inspect-change-set': () => inspection(false, { blueGreenStackName: BLUE_GREEN_STACK }),
      'delete-change-set': () => ({ changeSetArn: CHANGE_SET_ARN, deleted: true }),
      'create-stack': (state) =>
        operation('create', 'in-progress', {
          stackName: state.blueGreen?.stackName ?? 'missing',
          stackId: BLUE_GREEN_ID,
        }),
      'get-stack-status': (state) =>
        operation('create', 'succeeded', {
          stackName: state.operation?.stackName ?? 'missing',
          stackId: BLUE_GREEN_ID,
          status: 'CREATE_COMPLETE',
        }),
    };
    // Act
    const run = await runDeploy(stubs, { ...INPUT, onUnsafeChange: 'blue-green' });
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Change Set',
      'Change Set Created?',
      'Wait Change Set Creation',
      'Get Change Set Status',
      'Change Set Created?',
      'Inspect Change Set Changes',
      'Safe to Update Infra?',
      'Delete Change Set',
      'Blue/Green?',
      'Prepare Blue/Green Stack',
      'Create Stack',
      'Wait Stack Creation',
      'Get Stack Creation Status',
      'Stack Created?',
      'Blue/Green Stack Created',
      'Deployment Succeeded',
    ]);
    expect(OutcomeSchema.parse(run.output)).toEqual({
      result: 'blue-green',
      stackName: STACK_NAME,
      blueGreenStackName: BLUE_GREEN_STACK,
      stackId: BLUE_GREEN_ID,
      verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
      findings: [REPLACE_FINDING],
      findingCount: 1,
    });
  });

  it('GIVEN a task that fails with a RetryableError once WHEN deploying THEN it is retried and the deployment succeeds', async () => {
    // Prepare
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'check-stack-existence': sequence(
        () => {
          throw taskError('RetryableError', 'DescribeStacks prod-sample-lambda-app: Rate exceeded');
        },
        () => stackCheck('update'),
      ),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.retries).toBe(1);
    expect(run.path.slice(0, 6)).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Change Set',
    ]);
    expect(run.status).toBe('SUCCEEDED');
  });

  it.each([
    'Lambda.ServiceException',
    'Lambda.TooManyRequestsException',
    'Lambda.SdkClientException',
    'Lambda.AWSLambdaException',
    'Lambda.Unknown',
    'Runtime.ExitError',
    'Sandbox.Timedout',
  ])('GIVEN a transient %s WHEN a task runs THEN it is retried', async (errorName) => {
    // Prepare
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'inspect-change-set': sequence(
        () => {
          throw taskError(errorName, 'transient');
        },
        () => inspection(true),
      ),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.retries).toBe(1);
    expect(run.output).toMatchObject({ result: 'updated' });
  });

  it('GIVEN a task that keeps failing WHEN the retries are spent THEN the Catch ends the deployment with the cause', async () => {
    // Prepare
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'create-change-set': () => {
        throw taskError('RetryableError', 'CreateChangeSet prod-sample-lambda-app: Rate exceeded');
      },
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.retries).toBe(4);
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Change Set',
      'Create Change Set Errored',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(run.error).toBe('DeploymentFailed');
    expect(causeOf(run.cause)).toEqual({
      result: 'failed',
      stage: 'Create Change Set',
      stackName: STACK_NAME,
      error: { Error: 'RetryableError', Cause: 'CreateChangeSet prod-sample-lambda-app: Rate exceeded' },
    });
  });

  it.each(['InvalidInputError', 'SafetyRefusedError', 'CloudFormationError', 'ArtifactError'])(
    'GIVEN a task that throws %s WHEN deploying THEN it is not retried and the deployment fails with it',
    async (errorName) => {
      // Prepare
      const stubs: Stubs = {
        'check-stack-existence': () => stackCheck('create'),
        'create-stack': () => {
          throw taskError(errorName, 'not worth retrying');
        },
      };
      // Act
      const run = await runDeploy(stubs);
      // Assess
      expect(run.retries).toBe(0);
      expect(run.path.slice(-4)).toEqual([
        'Create Stack',
        'Create Stack Errored',
        'Describe Failure',
        'Deployment Failed',
      ]);
      expect(causeOf(run.cause)).toMatchObject({ stage: 'Create Stack', error: { Error: errorName } });
    },
  );

  it('GIVEN a stack operation that never finishes WHEN the polling budget is spent THEN the deployment fails, bounded', async () => {
    // Prepare
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'get-stack-status': (_state, { call }) =>
        operation('update', 'in-progress', {
          status: 'UPDATE_IN_PROGRESS',
          poll: poll({ attempt: call + 1, waitSeconds: 60, waitedSeconds: call * 60, exhausted: call >= 5 }),
        }),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.filter((name) => name === 'Get Stack Update Status')).toHaveLength(5);
    expect(run.path.slice(-3)).toEqual(['Stack Update Timed Out', 'Describe Failure', 'Deployment Failed']);
    expect(causeOf(run.cause)).toEqual({
      result: 'failed',
      stage: 'stack update',
      stackName: STACK_NAME,
      reason: 'CloudFormation had not finished after 300 seconds of polling',
    });
  });

  it('GIVEN a change set that never becomes ready WHEN its polling budget is spent THEN it is deleted and the deployment fails', async () => {
    // Prepare
    const deletions = recordDeletions();
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'get-change-set-status': (_state, { call }) =>
        changeSet('wait', {
          poll: poll({ attempt: call + 1, waitedSeconds: call * 15, exhausted: call >= 3 }),
        }),
      'delete-change-set': deletions.stub,
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.slice(-5)).toEqual([
      'Change Set Created?',
      'Change Set Creation Timed Out',
      'Delete Failed Change Set',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(deletions.arns).toEqual([CHANGE_SET_ARN]);
    expect(causeOf(run.cause)).toMatchObject({
      stage: 'change set creation',
      reason: 'the change set was not ready after 45 seconds of polling',
    });
  });

  it("GIVEN a change set that fails WHEN deploying THEN it is deleted and the deployment fails with the change set's reason", async () => {
    // Prepare
    const reason = 'Template error: instance of Fn::GetAtt references undefined resource Missing';
    const deletions = recordDeletions();
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'create-change-set': () => changeSet('failed', { reason }),
      'delete-change-set': deletions.stub,
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.slice(5)).toEqual([
      'Create Change Set',
      'Change Set Created?',
      'Change Set Failed',
      'Delete Failed Change Set',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(deletions.arns).toEqual([CHANGE_SET_ARN]);
    expect(causeOf(run.cause)).toEqual({
      result: 'failed',
      stage: 'change set creation',
      stackName: STACK_NAME,
      reason,
    });
  });

  it.each([
    ['Get Change Set Status', 'get-change-set-status'],
    ['Inspect Change Set Changes', 'inspect-change-set'],
    ['Execute Change Set', 'execute-change-set'],
  ] as const)(
    'GIVEN %s erroring for good WHEN deploying THEN the change set is deleted and the deployment fails with that error',
    async (stateName, functionName) => {
      // Prepare
      const deletions = recordDeletions();
      const stubs: Stubs = {
        ...safeUpdateStubs(),
        'create-change-set': () => changeSet('wait'),
        [functionName]: () => {
          throw taskError('CloudFormationError', `${stateName}: Access denied`);
        },
        'delete-change-set': deletions.stub,
      };
      // Act
      const run = await runDeploy(stubs);
      // Assess
      expect(run.path.slice(-5)).toEqual([
        stateName,
        `${stateName} Errored`,
        'Delete Failed Change Set',
        'Describe Failure',
        'Deployment Failed',
      ]);
      expect(deletions.arns).toEqual([CHANGE_SET_ARN]);
      expect(causeOf(run.cause)).toEqual({
        result: 'failed',
        stage: stateName,
        stackName: STACK_NAME,
        error: { Error: 'CloudFormationError', Cause: `${stateName}: Access denied` },
      });
    },
  );

  it("GIVEN a failed change set that cannot be deleted either WHEN deploying THEN the deployment fails with the change set's reason, not the deletion's", async () => {
    // Prepare
    const reason = 'Template format error: Unresolved resource dependencies [Missing]';
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'create-change-set': () => changeSet('failed', { reason }),
      'delete-change-set': () => {
        throw taskError('CloudFormationError', 'DeleteChangeSet: Access denied');
      },
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.retries).toBe(0);
    expect(run.path.slice(-4)).toEqual([
      'Change Set Failed',
      'Delete Failed Change Set',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(run.error).toBe('DeploymentFailed');
    expect(causeOf(run.cause)).toEqual({
      result: 'failed',
      stage: 'change set creation',
      stackName: STACK_NAME,
      reason,
    });
  });

  it('GIVEN the deletion of a refused change set erroring WHEN deploying THEN it is not tried again as a failed change set', async () => {
    // Prepare
    let deletions = 0;
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'inspect-change-set': () => inspection(false),
      'delete-change-set': () => {
        deletions += 1;
        throw taskError('CloudFormationError', 'DeleteChangeSet: Access denied');
      },
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(deletions).toBe(1);
    expect(run.path.slice(-4)).toEqual([
      'Delete Change Set',
      'Delete Change Set Errored',
      'Describe Failure',
      'Deployment Failed',
    ]);
  });

  it('GIVEN a busy stack WHEN it settles THEN the deployment waits for it and goes on', async () => {
    // Prepare
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'check-stack-existence': sequence(
        () => stackCheck('wait', { status: 'UPDATE_IN_PROGRESS', poll: poll({ waitSeconds: 15 }) }),
        () => stackCheck('update'),
      ),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.slice(0, 9)).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Wait For Stack To Settle',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Create Change Set',
    ]);
    expect(run.output).toMatchObject({ result: 'updated' });
  });

  it('GIVEN a stack that stays busy WHEN the budget is spent THEN it fails as busy too long', async () => {
    // Prepare
    const stubs: Stubs = {
      'check-stack-existence': () =>
        stackCheck('wait', {
          status: 'UPDATE_IN_PROGRESS',
          reason: 'prod-sample-lambda-app is UPDATE_IN_PROGRESS',
          poll: poll({ exhausted: true, waitedSeconds: 1800 }),
        }),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Check Stack Existence',
      'Does Stack Exist?',
      'Stack Busy Too Long',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(causeOf(run.cause)).toMatchObject({
      stage: 'waiting for the stack to settle',
      reason: 'prod-sample-lambda-app is UPDATE_IN_PROGRESS',
    });
  });

  it('GIVEN a stack that needs a person (UPDATE_ROLLBACK_FAILED) WHEN deploying THEN it is refused with the reason', async () => {
    // Prepare
    const reason = 'prod-sample-lambda-app is UPDATE_ROLLBACK_FAILED: continue the rollback first';
    const stubs: Stubs = {
      'check-stack-existence': () => stackCheck('refuse', { status: 'UPDATE_ROLLBACK_FAILED', reason }),
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path.slice(-3)).toEqual(['Stack Cannot Be Deployed', 'Describe Failure', 'Deployment Failed']);
    expect(causeOf(run.cause)).toEqual({
      result: 'failed',
      stage: 'stack check',
      stackName: STACK_NAME,
      reason,
    });
  });

  it('GIVEN any run WHEN a task is called THEN it receives the deployment id (the execution name) and the input', async () => {
    // Prepare
    const seen: unknown[] = [];
    const stubs: Stubs = {
      'check-stack-existence': (state) => {
        seen.push({ deploymentId: state.deploymentId, input: state.input });
        return stackCheck('refuse');
      },
    };
    // Act
    await runDeploy(stubs);
    // Assess
    expect(seen).toEqual([{ deploymentId: EXECUTION_NAME, input: INPUT }]);
  });

  it('GIVEN an artifact whose template cannot be read WHEN deploying THEN it fails at Load Template and no stack is looked at', async () => {
    // Prepare
    const reason =
      'templatePath "SampleLambdaApp.template.json" is not in s3://codepipeline-us-east-1-000000000000/pipeline/SourceArti/abc123.zip';
    const touched: string[] = [];
    const stubs: Stubs = {
      'load-template': () => {
        throw taskError('ArtifactError', reason);
      },
      'check-stack-existence': () => {
        touched.push('check-stack-existence');
        return stackCheck('recreate', { status: 'ROLLBACK_COMPLETE' });
      },
      'delete-stack': () => {
        touched.push('delete-stack');
        return operation('delete', 'in-progress');
      },
    };
    // Act
    const run = await runDeploy(stubs);
    // Assess
    expect(run.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Load Template',
      'Load Template Errored',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(run.retries).toBe(0);
    expect(touched).toEqual([]);
    expect(causeOf(run.cause)).toMatchObject({
      result: 'failed',
      stage: 'Load Template',
      stackName: STACK_NAME,
      error: { Error: 'ArtifactError', Cause: expect.stringContaining(reason) },
    });
  });

  it('GIVEN asset manifests in the input WHEN deploying THEN Publish Assets runs before anything else, and its failure stops the deployment before any stack is looked at', async () => {
    // Prepare
    const assetManifests = ['cdk.out/SampleService.assets.json'];
    const published: unknown[] = [];
    const touched: string[] = [];
    const ok: Stubs = {
      'publish-assets': (event) => {
        published.push((event as { input: { assetManifests: unknown } }).input.assetManifests);
        return { assets: [] };
      },
      'check-stack-existence': () => stackCheck('create'),
    };
    const failing: Stubs = {
      'publish-assets': () => {
        throw taskError('ArtifactError', 'cdk.out/SampleService.assets.json has container image asset abc');
      },
      'check-stack-existence': () => {
        touched.push('check-stack-existence');
        return stackCheck('create');
      },
    };
    // Act
    const run = await runDeploy(ok, { ...INPUT, assetManifests });
    const failed = await runDeploy(failing, { ...INPUT, assetManifests });
    // Assess
    expect(run.path.slice(0, 4)).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Publish Assets',
      'Load Template',
    ]);
    expect(published).toEqual([assetManifests]);
    expect(failed.path).toEqual([
      'Start Deployment',
      'Assets To Publish?',
      'Publish Assets',
      'Publish Assets Errored',
      'Describe Failure',
      'Deployment Failed',
    ]);
    expect(touched).toEqual([]);
    expect(causeOf(failed.cause)).toMatchObject({
      result: 'failed',
      stage: 'Publish Assets',
      error: { Error: 'ArtifactError', Cause: expect.stringContaining('container image asset abc') },
    });
  });

  it('GIVEN a template loaded once WHEN the deployment creates a change set and then a blue/green stack THEN both receive it', async () => {
    // Prepare
    const staged = {
      url: 'https://templates.s3.us-east-1.amazonaws.com/templates/prod-sample-lambda-app/job.template',
      bytes: 60_000,
    };
    const received: unknown[] = [];
    let loads = 0;
    const stubs: Stubs = {
      ...safeUpdateStubs(),
      'load-template': () => {
        loads += 1;
        return staged;
      },
      'create-change-set': (state) => {
        received.push(state.template);
        return changeSet('wait');
      },
      'inspect-change-set': () => inspection(false, { blueGreenStackName: BLUE_GREEN_STACK }),
      'delete-change-set': () => ({ changeSetArn: CHANGE_SET_ARN, deleted: true }),
      'create-stack': (state) => {
        received.push(state.template);
        return operation('create', 'in-progress', { stackName: BLUE_GREEN_STACK, stackId: BLUE_GREEN_ID });
      },
      'get-stack-status': () =>
        operation('create', 'succeeded', { stackName: BLUE_GREEN_STACK, stackId: BLUE_GREEN_ID }),
    };
    // Act
    const run = await runDeploy(stubs, { ...INPUT, onUnsafeChange: 'blue-green' });
    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(loads).toBe(1);
    expect(received).toEqual([staged, staged]);
  });
});
