/** The Trigger's configuration is missing or malformed (an environment variable the pipeline app sets). */
export class TriggerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TriggerConfigError';
  }
}

export interface TriggerConfig {
  /** The Deploy state machine that every job of this pipeline action starts. */
  readonly stateMachineArn: string;
}

/** The environment variables the Trigger reads; nothing else of the environment is passed in. */
export interface TriggerEnvironment {
  readonly STATE_MACHINE_ARN?: string | undefined;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

export function readTriggerConfig(env: TriggerEnvironment): TriggerConfig {
  const value = env.STATE_MACHINE_ARN?.trim();
  if (value === undefined || value.length === 0) {
    throw new TriggerConfigError(
      "The environment variable STATE_MACHINE_ARN is not set: the Trigger function does not know which Deploy state machine to start (the pipeline app sets it from the state machine's SSM parameter)",
    );
  }
  if (!STATE_MACHINE_ARN.test(value)) {
    throw new TriggerConfigError(
      `The environment variable STATE_MACHINE_ARN is "${value.slice(0, 200)}"; expected a Step Functions state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`,
    );
  }
  return { stateMachineArn: value };
}
