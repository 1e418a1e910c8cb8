import {
  errorNameOf,
  PayloadValidationError,
  parseWith,
  type TaskInput,
  type TaskName,
  type TaskPayloads,
  type TaskResult,
} from '@cfn-safe-deploy/state-payloads';
import { InvalidInputError, toTaskError } from './errors.js';
import { logger } from './logger.js';

/** The part of the Lambda context a task uses. */
export interface TaskContext {
  readonly awsRequestId?: string;
}

export type TaskHandler<T extends TaskName> = (
  event: unknown,
  context?: TaskContext,
) => Promise<TaskResult<T>>;

function stackNameOf(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const input = (event as { input?: { environmentName?: unknown; stackName?: unknown } }).input;
  if (typeof input?.environmentName === 'string' && typeof input.stackName === 'string') {
    return `${input.environmentName}-${input.stackName}`;
  }
  return undefined;
}

function deploymentIdOf(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const id = (event as { deploymentId?: unknown }).deploymentId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Wraps a task's logic as a Lambda handler: validates the event with the task's input schema,
 * adds log keys (never the event itself), runs it, validates the result and maps unexpected AWS
 * errors to the classes the state machine's Retry/Catch match.
 *
 * `payloads` is the task's entry of state-payloads (e.g. `checkStackExistenceTask`), not the whole
 * `Tasks` table, so that the Lambda builds only its own schemas when it starts.
 */
export function defineTask<T extends TaskName>(
  payloads: TaskPayloads<T> & { readonly name: T },
  run: (input: TaskInput<T>) => Promise<TaskResult<T>>,
): TaskHandler<T> {
  const task = payloads.name;
  return async (event, context) => {
    const stackName = stackNameOf(event);
    logger.appendKeys({
      task,
      deploymentId: deploymentIdOf(event),
      stackName,
      ...(context?.awsRequestId ? { awsRequestId: context.awsRequestId } : {}),
    });
    const started = Date.now();
    try {
      logger.info('task started');
      let input: TaskInput<T>;
      try {
        input = parseWith(payloads.input, event, `${task} input`) as TaskInput<T>;
      } catch (error) {
        if (error instanceof PayloadValidationError) {
          throw new InvalidInputError(error.message, { cause: error });
        }
        throw error;
      }
      let result: TaskResult<T>;
      try {
        result = await run(input);
      } catch (error) {
        throw toTaskError(error, task, stackName ?? 'the stack');
      }
      const checked = payloads.result.safeParse(result);
      if (!checked.success) {
        throw new Error(
          `Bug: ${task} returned a result that does not match its schema: ${checked.error.message}`,
          {
            cause: checked.error,
          },
        );
      }
      logger.info('task finished', { durationMs: Date.now() - started });
      return checked.data as TaskResult<T>;
    } catch (error) {
      logger.error('task failed', {
        durationMs: Date.now() - started,
        errorName: errorNameOf(error) ?? typeof error,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      logger.resetKeys();
    }
  };
}
