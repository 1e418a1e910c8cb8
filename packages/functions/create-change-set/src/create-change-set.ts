import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  type CreateChangeSetCommandInput,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CloudFormationError,
  clientRequestToken,
  type DeployConfig,
  firstPoll,
  isChangeSetNotFoundError,
  isNoUpdatesError,
  POLL_SCHEDULES,
  pages,
  stackRequestFields,
  templateRequestFields,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import {
  CHANGE_SET_DESCRIPTION_PREFIX,
  type ChangeSetState,
  changeSetDescriptionFor,
  changeSetNameFor,
  errorNameOf,
  type TaskInput,
} from '@cfn-safe-deploy/state-payloads';

export interface CreateChangeSetDeps {
  readonly cfn: CloudFormationClient;
  readonly config: DeployConfig;
  /** Jitter source for the polling backoff. @default Math.random */
  readonly random?: () => number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** What every change set of cfn-safe-deploy has as its Description, followed by the deployment id. */
export const DESCRIPTION_PREFIX = CHANGE_SET_DESCRIPTION_PREFIX;

/**
 * A failed change set of cfn-safe-deploy is swept, when the stack has reached its limit of change
 * sets, only once it is this old: a deployment polls its change set for 15 minutes at most, so none
 * still running can be reading it.
 */
export const SWEEP_MIN_AGE_MS = 60 * 60 * 1000;

/** The status recorded when CreateChangeSet itself answered that nothing changed: no change set exists. */
export const NOT_CREATED = 'NOT_CREATED';

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
    Description: changeSetDescriptionFor(deploymentId),
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

  let swept: number | undefined;
  for (;;) {
    try {
      return await create(deps.cfn, request, base);
    } catch (error) {
      if (isNoUpdatesError(error)) {
        return { ...base, status: NOT_CREATED, next: 'no-changes', reason: errorMessage(error) };
      }
      if (errorNameOf(error) === 'AlreadyExistsException') {
        // Our name is unique to this deployment: a retried invocation after a CreateChangeSet that succeeded.
        return { ...base, ...(await recoverExisting(deps.cfn, changeSetName, stackName)), next: 'wait' };
      }
      const target = `${changeSetName} of stack ${stackName}`;
      if (!isChangeSetLimitError(error)) {
        throw toTaskError(error, 'CreateChangeSet', target, { templatePath: input.input.templatePath });
      }
      if (swept !== undefined) {
        throw new CloudFormationError(
          `CreateChangeSet ${target} failed: ${errorMessage(error)} (still, after deleting ${swept} failed change set(s) of earlier deployments); delete change sets the stack no longer needs (aws cloudformation list-change-sets --stack-name ${stackName})`,
          { cause: error },
        );
      }
      swept = await sweepFailedChangeSets(deps.cfn, stackName, (deps.now ?? (() => new Date()))());
      if (swept === 0) {
        throw new CloudFormationError(
          `CreateChangeSet ${target} failed: ${errorMessage(error)}; no failed change set of cfn-safe-deploy older than ${SWEEP_MIN_AGE_MS / 60_000} minutes was left to delete: delete change sets the stack no longer needs (aws cloudformation list-change-sets --stack-name ${stackName})`,
          { cause: error },
        );
      }
    }
  }
}

/** CloudFormation's answer when the stack holds as many change sets as it may. */
function isChangeSetLimitError(error: unknown): boolean {
  return errorNameOf(error) === 'LimitExceededException' && /change ?set/i.test(errorMessage(error));
}

/**
 * Deletes the failed change sets of earlier cfn-safe-deploy deployments of the stack (its own
 * Description, status FAILED, older than SWEEP_MIN_AGE_MS), every page of them, by ARN; returns how
 * many. A FAILED change set can never be executed, and the state machine deletes each one it
 * creates: these are what a failed clean-up, or a version before that, left behind.
 */
async function sweepFailedChangeSets(
  cfn: CloudFormationClient,
  stackName: string,
  now: Date,
): Promise<number> {
  const cutoff = now.getTime() - SWEEP_MIN_AGE_MS;
  const arns: string[] = [];
  const listed = pages({
    operation: 'ListChangeSets',
    subject: `stack ${stackName}`,
    fetch: (nextToken) => cfn.send(new ListChangeSetsCommand({ StackName: stackName, NextToken: nextToken })),
  });
  for await (const page of listed) {
    for (const summary of page.Summaries ?? []) {
      if (
        summary.Status === 'FAILED' &&
        summary.ChangeSetId !== undefined &&
        summary.Description?.startsWith(DESCRIPTION_PREFIX) === true &&
        summary.CreationTime !== undefined &&
        summary.CreationTime.getTime() < cutoff
      ) {
        arns.push(summary.ChangeSetId);
      }
    }
  }
  for (const arn of arns) {
    try {
      await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: arn }));
    } catch (error) {
      if (!isChangeSetNotFoundError(error)) throw toTaskError(error, 'DeleteChangeSet', arn);
    }
  }
  return arns.length;
}

/** CreateChangeSet: the change set's ARN, or the error CloudFormation answered. */
async function create(
  cfn: CloudFormationClient,
  request: CreateChangeSetCommandInput,
  base: Omit<ChangeSetState, 'changeSetArn' | 'status' | 'next'>,
): Promise<ChangeSetState> {
  const created = await cfn.send(new CreateChangeSetCommand(request));
  if (!created.Id) {
    throw new CloudFormationError(
      `CreateChangeSet ${base.changeSetName} on ${base.stackName} returned no change set Id; expected the change set's ARN`,
    );
  }
  return {
    ...base,
    changeSetArn: created.Id,
    ...(created.StackId ? { stackId: created.StackId } : {}),
    status: 'CREATE_PENDING',
    next: 'wait',
  };
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
