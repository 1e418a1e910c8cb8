import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  type CreateChangeSetCommandInput,
  DescribeChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudFormationError,
  clientRequestToken,
  type DeployConfig,
  firstPoll,
  isNoUpdatesError,
  POLL_SCHEDULES,
  stackRequestFields,
  templateRequestFields,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import { type ChangeSetState, changeSetNameFor, type TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface CreateChangeSetDeps {
  readonly cfn: CloudFormationClient;
  readonly config: DeployConfig;
  /** Jitter source for the polling backoff. @default Math.random */
  readonly random?: () => number;
}

/** The status recorded when CreateChangeSet itself answered that nothing changed: no change set exists. */
export const NOT_CREATED = 'NOT_CREATED';

function errorName(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { name } = error as { name?: unknown };
  return typeof name === 'string' ? name : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates this deployment's change set from the template Load Template put in the state: named uniquely
 * per deployment, with the type the stack check chose (always passed: the API's default differs
 * between AWS and emulators), nested stacks included, idempotent across Lambda retries.
 */
export async function createChangeSet(
  input: TaskInput<'createChangeSet'>,
  deps: CreateChangeSetDeps,
): Promise<ChangeSetState> {
  const { deploymentId, stack } = input;
  const { stackName, changeSetType } = stack;
  const changeSetName = changeSetNameFor(stackName, deploymentId);

  const request: CreateChangeSetCommandInput = {
    StackName: stackName,
    ChangeSetName: changeSetName,
    ChangeSetType: changeSetType,
    ...templateRequestFields(input.template),
    ...stackRequestFields(input.input, deps.config),
    IncludeNestedStacks: true,
    ClientToken: clientRequestToken(deploymentId, 'create-change-set'),
    Description: `cfn-safe-deploy deployment ${deploymentId}`,
    // A failed first create then deletes the stack instead of leaving it in ROLLBACK_COMPLETE.
    ...(changeSetType === 'CREATE' ? { OnStackFailure: 'DELETE' as const } : {}),
  };
  const base = {
    changeSetName,
    stackName,
    ...(stack.stackId === undefined ? {} : { stackId: stack.stackId }),
    changeSetType,
    poll: firstPoll(POLL_SCHEDULES.changeSet, deps.random),
  };

  try {
    const created = await deps.cfn.send(new CreateChangeSetCommand(request));
    if (!created.Id) {
      throw new CloudFormationError(
        `CreateChangeSet ${changeSetName} on ${stackName} returned no change set Id; expected the change set's ARN`,
      );
    }
    return {
      ...base,
      changeSetArn: created.Id,
      ...(created.StackId ? { stackId: created.StackId } : {}),
      status: 'CREATE_PENDING',
      next: 'wait',
    };
  } catch (error) {
    if (isNoUpdatesError(error)) {
      return { ...base, status: NOT_CREATED, next: 'no-changes', reason: errorMessage(error) };
    }
    if (errorName(error) === 'AlreadyExistsException') {
      // Our name is unique to this deployment: a retried invocation after a CreateChangeSet that succeeded.
      return { ...base, ...(await recoverExisting(deps.cfn, changeSetName, stackName)), next: 'wait' };
    }
    throw toTaskError(error, 'CreateChangeSet', `${changeSetName} of stack ${stackName}`);
  }
}

async function recoverExisting(
  cfn: CloudFormationClient,
  changeSetName: string,
  stackName: string,
): Promise<{ changeSetArn: string; stackId?: string; status: string }> {
  let described: { ChangeSetId?: string; StackId?: string; Status?: string };
  try {
    described = await cfn.send(
      new DescribeChangeSetCommand({ ChangeSetName: changeSetName, StackName: stackName }),
    );
  } catch (error) {
    throw toTaskError(error, 'DescribeChangeSet', `${changeSetName} of stack ${stackName}`);
  }
  if (!described.ChangeSetId) {
    throw new CloudFormationError(
      `change set ${changeSetName} of stack ${stackName} already exists but DescribeChangeSet returned no ChangeSetId`,
    );
  }
  return {
    changeSetArn: described.ChangeSetId,
    ...(described.StackId ? { stackId: described.StackId } : {}),
    status: described.Status ?? 'CREATE_PENDING',
  };
}
