import {
  CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalJobs, type LocalServer, LocalStepFunctions, startJsonEndpoint } from '../src/index.js';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Test';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('the local AWS JSON-protocol endpoint (Step Functions, CodePipeline jobs)', () => {
  let server: LocalServer;
  let sfn: SFNClient;
  let codePipeline: CodePipelineClient;
  let jobs: LocalJobs;
  const gates = new Map<string, () => void>();

  beforeAll(async () => {
    const stepFunctions = new LocalStepFunctions();
    // A Task that waits until the test opens its gate (keyed by the input's "gate").
    stepFunctions.registerStateMachine(MACHINE, {
      definition: {
        StartAt: 'Work',
        States: {
          Work: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
            Next: 'Done',
          },
          Done: { Type: 'Succeed' },
        },
      },
      tasks: {
        Work: {
          resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
          timeoutSeconds: 30,
          invoke: (input) =>
            new Promise((resolve) => {
              gates.set((input as { gate: string }).gate, () =>
                resolve({ done: (input as { gate: string }).gate }),
              );
            }),
        },
      },
    });
    jobs = new LocalJobs();
    server = await startJsonEndpoint({ stepFunctions, jobs });
    sfn = new SFNClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });
    codePipeline = new CodePipelineClient({ endpoint: server.endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    for (const open of gates.values()) open();
    await server?.close();
  });

  async function until(check: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      if (await check()) return;
      await new Promise((done) => setTimeout(done, 10));
    }
    throw new Error('the condition never held');
  }

  it('GIVEN a running execution WHEN it is started again with the same name and input THEN the same execution is returned', async () => {
    // Act
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'same', input: '{"gate":"a"}' }),
    );
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'same', input: '{"gate":"a"}' }),
    );
    // Assess
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    expect(first.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:Test:same');
  });

  it('GIVEN a running execution WHEN its name is started with another input THEN ExecutionAlreadyExists', async () => {
    // Act
    const attempt = sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'same', input: '{"gate":"b"}' }),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('GIVEN an execution that ended WHEN its name is started again, even with the same input THEN ExecutionAlreadyExists, and DescribeExecution tells how it ended', async () => {
    // Prepare
    await until(async () => gates.has('a'));
    gates.get('a')?.();
    const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:Test:same';
    await until(
      async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'SUCCEEDED',
    );
    // Act
    const attempt = sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'same', input: '{"gate":"a"}' }),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      name: 'same',
      output: '{"done":"a"}',
      input: '{"gate":"a"}',
    });
    expect(described.stopDate).toBeInstanceOf(Date);
  });

  it('GIVEN an execution WHEN its history is read THEN it has the events of the real API, in order', async () => {
    // Act
    const history = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:Test:same',
      }),
    );
    // Assess
    expect(history.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.[1]?.stateEnteredEventDetails).toEqual({ name: 'Work', input: '{"gate":"a"}' });
    expect(history.events?.[0]?.timestamp).toBeInstanceOf(Date);
  });

  it('GIVEN a running execution WHEN it is stopped THEN it is ABORTED with the given cause', async () => {
    // Prepare
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'stopped', input: '{"gate":"c"}' }),
    );
    // Act
    await sfn.send(
      new StopExecutionCommand({ executionArn: started.executionArn, error: 'Stop', cause: 'test' }),
    );
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    // Assess
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Stop', cause: 'test' });
  });

  it("GIVEN unknown names WHEN called THEN the errors are the API's own", async () => {
    // Act & Assess
    await expect(
      sfn.send(new DescribeExecutionCommand({ executionArn: `${MACHINE}:nope` })),
    ).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}-other`, name: 'x', input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'bad name', input: '{}' })),
    ).rejects.toMatchObject({
      name: 'InvalidName',
    });
    await expect(
      codePipeline.send(new PutJobSuccessResultCommand({ jobId: 'unknown' })),
    ).rejects.toMatchObject({
      name: 'JobNotFoundException',
    });
  });

  it('GIVEN a job WHEN it is answered with a token, then finally THEN the pipeline sees both, and a later answer is refused', async () => {
    // Prepare
    jobs.register('job-1');
    // Act
    await codePipeline.send(new PutJobSuccessResultCommand({ jobId: 'job-1', continuationToken: 'token-1' }));
    await codePipeline.send(
      new PutJobFailureResultCommand({
        jobId: 'job-1',
        failureDetails: { type: 'JobFailed', message: 'it failed' },
      }),
    );
    // Assess
    expect(jobs.take('job-1')).toEqual([
      { kind: 'success', continuationToken: 'token-1' },
      { kind: 'failure', type: 'JobFailed', message: 'it failed' },
    ]);
    await expect(codePipeline.send(new PutJobSuccessResultCommand({ jobId: 'job-1' }))).rejects.toMatchObject(
      { name: 'InvalidJobStateException' },
    );
  });
});
