import {
  checkStackExistenceTask,
  getStackStatusTask,
  type TaskInput,
  type TaskResult,
} from '@cfn-safe-deploy/state-payloads';
import { awsError } from '@cfn-safe-deploy/testing/aws-errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidInputError, RetryableError, SafetyRefusedError } from '../src/errors.js';
import { logger } from '../src/logger.js';
import { defineTask } from '../src/task.js';

const event = {
  input: {
    environmentName: 'prod',
    stackName: 'app',
    templatePath: 'template.yaml',
    revisionS3Bucket: 'artifacts',
    revisionS3Key: 'secret/source.zip',
  },
  deploymentId: 'job-1',
};

const missing: TaskResult<'checkStackExistence'> = {
  stackName: 'prod-app',
  exists: false,
  changeSetType: 'CREATE',
  next: 'create',
  reason: 'the stack does not exist',
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('defineTask', () => {
  it('validates the event, runs the task and returns its result', async () => {
    // Prepare
    const run = vi.fn(async (_: TaskInput<'checkStackExistence'>) => missing);
    const handler = defineTask(checkStackExistenceTask, run);

    // Act
    const result = await handler(event, { awsRequestId: 'req-1' });

    // Assess
    expect(result).toEqual(missing);
    expect(run).toHaveBeenCalledWith({ ...event, input: { ...event.input, onUnsafeChange: 'fail' } });
  });

  it('logs start and end with the deployment keys but never the event', async () => {
    // Prepare
    const info = vi.spyOn(logger, 'info');
    const append = vi.spyOn(logger, 'appendKeys');
    const handler = defineTask(checkStackExistenceTask, async () => missing);

    // Act
    await handler(event);

    // Assess
    expect(append).toHaveBeenCalledWith({
      task: 'checkStackExistence',
      deploymentId: 'job-1',
      stackName: 'prod-app',
    });
    expect(info.mock.calls.map((call) => call[0])).toEqual(['task started', 'task finished']);
    expect(JSON.stringify([info.mock.calls, append.mock.calls])).not.toContain('secret/source.zip');
  });

  it('rejects an invalid event with InvalidInputError naming the field, without running the task', async () => {
    // Prepare
    const run = vi.fn(async () => missing);
    const handler = defineTask(checkStackExistenceTask, run);

    // Act
    const invoked = handler({ ...event, input: { ...event.input, stackName: 'bad name!' } });

    // Assess
    await expect(invoked).rejects.toThrow(InvalidInputError);
    await expect(invoked).rejects.toThrow(/input\.stackName/);
    expect(run).not.toHaveBeenCalled();
  });

  it('rejects a task input missing the result it depends on', async () => {
    const handler = defineTask(getStackStatusTask, async () => {
      throw new Error('not reached');
    });
    await expect(handler(event)).rejects.toThrow(/operation/);
  });

  it('treats a result that breaks its schema as a bug (a plain Error, not retried by name)', async () => {
    // Prepare
    const handler = defineTask(checkStackExistenceTask, async () => ({ ...missing, next: 'jump' }) as never);

    // Act
    const invoked = handler(event);

    // Assess
    await expect(invoked).rejects.toThrow(/^Bug: checkStackExistence returned a result/);
    await expect(invoked).rejects.toSatisfy((error: Error) => error.name === 'Error');
  });

  it('maps AWS errors and passes task errors through', async () => {
    // Prepare
    const errorLog = vi.spyOn(logger, 'error');
    const throttled = defineTask(checkStackExistenceTask, async () => {
      throw awsError('Throttling', 'Rate exceeded');
    });
    const refused = defineTask(checkStackExistenceTask, async () => {
      throw new SafetyRefusedError('no');
    });

    // Act / Assess
    await expect(throttled(event)).rejects.toThrow(/DescribeStacks|checkStackExistence on prod-app/);
    await expect(throttled(event)).rejects.toBeInstanceOf(RetryableError);
    await expect(refused(event)).rejects.toBeInstanceOf(SafetyRefusedError);
    expect(errorLog).toHaveBeenCalledWith(
      'task failed',
      expect.objectContaining({ errorName: 'SafetyRefusedError' }),
    );
  });

  it('copes with events that are not objects', async () => {
    const handler = defineTask(checkStackExistenceTask, async () => missing);
    await expect(handler('nonsense')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(handler(null)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
