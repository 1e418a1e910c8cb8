import type { ServerResponse } from 'node:http';
import { CodePipelineApiError, type LocalJobs } from './codepipeline.js';
import { type LocalServer, listen, readBody } from './http.js';
import { type LocalExecution, type LocalStepFunctions, StepFunctionsApiError } from './step-functions.js';

/**
 * The local endpoint speaking the AWS JSON protocol (1.0 for Step Functions, 1.1 for CodePipeline)
 * for what moto lacks: the operations are chosen by `X-Amz-Target`, errors carry `__type`.
 */
export interface JsonEndpointOptions {
  readonly stepFunctions: LocalStepFunctions;
  readonly jobs: LocalJobs;
  readonly log?: (message: string) => void;
  /** Whether this call is answered with the service's ThrottlingException (the faults file). @default never */
  readonly throttle?: (service: 'stepfunctions' | 'codepipeline', operation: string) => boolean;
}

type Operation = (request: Record<string, unknown>) => unknown;

/** Dates travel as epoch seconds in the JSON protocols. */
function epoch(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : date.getTime() / 1000;
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, field: unknown) => (field instanceof Date ? undefined : field)),
  );
}

function describe(execution: LocalExecution): Record<string, unknown> {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epoch(execution.startDate),
    stopDate: epoch(execution.stopDate),
    input: execution.input,
    inputDetails: { included: true },
    output: execution.output,
    ...(execution.output === undefined ? {} : { outputDetails: { included: true } }),
    error: execution.error,
    cause: execution.cause,
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function send(response: ServerResponse, status: number, contentType: string, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  response.end(text);
}

export function startJsonEndpoint(options: JsonEndpointOptions): Promise<LocalServer> {
  const { stepFunctions: sfn, jobs } = options;
  const operations: Record<string, Operation> = {
    'AWSStepFunctions.StartExecution': (request) => {
      const execution = sfn.startExecution({
        stateMachineArn: str(request.stateMachineArn),
        name: str(request.name),
        input: str(request.input),
      });
      return { executionArn: execution.executionArn, startDate: epoch(execution.startDate) };
    },
    'AWSStepFunctions.DescribeExecution': (request) =>
      describe(sfn.describeExecution(str(request.executionArn))),
    'AWSStepFunctions.StopExecution': (request) => {
      const execution = sfn.stopExecution(str(request.executionArn), str(request.error), str(request.cause));
      return { stopDate: epoch(execution.stopDate ?? new Date()) };
    },
    'AWSStepFunctions.GetExecutionHistory': (request) => {
      const page = sfn.history({
        executionArn: str(request.executionArn),
        ...(typeof request.maxResults === 'number' ? { maxResults: request.maxResults } : {}),
        ...(typeof request.nextToken === 'string' ? { nextToken: request.nextToken } : {}),
        ...(typeof request.reverseOrder === 'boolean' ? { reverseOrder: request.reverseOrder } : {}),
        ...(typeof request.includeExecutionData === 'boolean'
          ? { includeExecutionData: request.includeExecutionData }
          : {}),
      });
      return {
        events: page.events.map((event) => ({
          ...(jsonSafe(event) as object),
          timestamp: epoch(event.timestamp),
        })),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
    'CodePipeline_20150709.PutJobSuccessResult': (request) => {
      jobs.putJobSuccessResult(request as Parameters<LocalJobs['putJobSuccessResult']>[0]);
      return {};
    },
    'CodePipeline_20150709.PutJobFailureResult': (request) => {
      jobs.putJobFailureResult(request as Parameters<LocalJobs['putJobFailureResult']>[0]);
      return {};
    },
  };

  return listen(
    async (request, response) => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const contentType = target.startsWith('CodePipeline_')
        ? 'application/x-amz-json-1.1'
        : 'application/x-amz-json-1.0';
      const body = (await readBody(request)).toString('utf8');
      const operation = operations[target];
      if (request.method !== 'POST' || operation === undefined) {
        send(response, 400, contentType, {
          __type: 'UnknownOperationException',
          message: `The local emulator does not implement ${target || 'this request (no X-Amz-Target)'}`,
        });
        return;
      }
      if (options.throttle?.(target.startsWith('CodePipeline_') ? 'codepipeline' : 'stepfunctions', target)) {
        send(response, 400, contentType, { __type: 'ThrottlingException', message: 'Rate exceeded' });
        return;
      }
      let parsed: unknown;
      try {
        parsed = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        send(response, 400, contentType, {
          __type: 'SerializationException',
          message: 'The request body is not JSON',
        });
        return;
      }
      try {
        send(response, 200, contentType, operation((parsed ?? {}) as Record<string, unknown>) ?? {});
      } catch (error) {
        if (error instanceof StepFunctionsApiError || error instanceof CodePipelineApiError) {
          send(response, 400, contentType, { __type: error.code, message: error.message });
          return;
        }
        throw error;
      }
    },
    (error) => options.log?.(`JSON endpoint: ${error instanceof Error ? error.message : String(error)}`),
  );
}
