import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { errorNameOf } from '@cfn-safe-deploy/state-payloads';
import { setProcessEnvironment } from './bundle-environment.js';
import { ACCOUNT, REGION } from './constants.js';
import { logCapture } from './log-capture.js';

/** A function as the emulator runs it: a built bundle exporting `handler`, with its own environment. */
export interface LambdaFunctionSpec {
  readonly name: string;
  /** The built `dist/index.mjs`. */
  readonly bundle: string;
  /** The function's own variables, set while the bundle is imported (its logger reads them at module scope). */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
}

/** The part of the Lambda context the bundles may read. */
export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

type Handler = (event: unknown, context: LambdaContext) => Promise<unknown>;

/**
 * An error the function threw, as Step Functions sees a Lambda error: `name` is the error type
 * (what Retry and Catch match), the message is Lambda's JSON error payload (the `Cause`).
 */
export class LambdaFunctionError extends Error {
  readonly errorType: string;
  readonly errorMessage: string;
  constructor(errorType: string, errorMessage: string, trace: string[] = []) {
    super(JSON.stringify({ errorType, errorMessage, trace }));
    this.name = errorType;
    this.errorType = errorType;
    this.errorMessage = errorMessage;
  }
}

export function functionArnOf(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

/** A loaded function: invoke it like Lambda does (JSON in, JSON out, a context, a timeout). */
export class LocalLambda {
  private constructor(
    readonly spec: LambdaFunctionSpec,
    private readonly handler: Handler,
  ) {}

  /**
   * Imports the bundle with its own variables (`spec.env`) set for the import, when its module
   * scope reads them (Powertools' service name, the function name); they are put back after. Each
   * load is a new instance of the module, so SDK clients made at its top level belong to this
   * load, never to an earlier one in the same process.
   */
  static async load(spec: LambdaFunctionSpec): Promise<LocalLambda> {
    const restore = setProcessEnvironment(spec.env);
    let module: { handler?: unknown };
    try {
      module = (await import(`${pathToFileURL(spec.bundle).href}?load=${randomUUID()}`)) as {
        handler?: unknown;
      };
    } finally {
      restore();
    }
    if (typeof module.handler !== 'function') {
      throw new Error(`${spec.bundle} does not export a handler function`);
    }
    return new LocalLambda(spec, module.handler as Handler);
  }

  async invoke(event: unknown): Promise<unknown> {
    const { name, timeoutSeconds, memoryMiB } = this.spec;
    const deadline = Date.now() + timeoutSeconds * 1000;
    const requestId = randomUUID();
    const context: LambdaContext = {
      awsRequestId: requestId,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArnOf(name),
      memoryLimitInMB: String(memoryMiB),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `local/${requestId}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    // Lambda hands the function a fresh copy of the JSON it was invoked with.
    const payload: unknown = JSON.parse(JSON.stringify(event ?? null));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LambdaFunctionError('Sandbox.Timedout', `Task timed out after ${timeoutSeconds}.00 seconds`),
          ),
        timeoutSeconds * 1000,
      );
    });
    try {
      const result = await Promise.race([
        logCapture.runAs(name, () => this.handler(payload, context)),
        timeout,
      ]);
      return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown);
    } catch (error) {
      if (error instanceof LambdaFunctionError) throw error;
      const errorType = errorNameOf(error) ?? 'Error';
      const errorMessage = error instanceof Error ? error.message : String(error);
      const trace =
        error instanceof Error
          ? (error.stack ?? '')
              .split('\n')
              .slice(1, 6)
              .map((line) => line.trim())
          : [];
      throw new LambdaFunctionError(errorType, errorMessage, trace);
    } finally {
      clearTimeout(timer);
    }
  }
}
