import { type CloudFormationClient, DeleteChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { isChangeSetNotFoundError, isStackMissingError, toTaskError } from '@cfn-safe-deploy/deploy-shared';
import type { ChangeSetDeletion, TaskInput } from '@cfn-safe-deploy/state-payloads';

export interface DeleteChangeSetDeps {
  readonly cfn: CloudFormationClient;
}

/**
 * Deletes the deployment's change set by ARN: one that changed nothing, or one refused as unsafe.
 * Nothing to delete (no change set was created, or it is already gone) is not an error.
 */
export async function deleteChangeSet(
  input: TaskInput<'deleteChangeSet'>,
  deps: DeleteChangeSetDeps,
): Promise<ChangeSetDeletion> {
  const changeSetArn = input.changeSet.changeSetArn;
  if (changeSetArn === undefined) return { deleted: false };
  try {
    await deps.cfn.send(new DeleteChangeSetCommand({ ChangeSetName: changeSetArn }));
  } catch (error) {
    // A change set of a stack that no longer exists is gone with it.
    if (isChangeSetNotFoundError(error) || isStackMissingError(error))
      return { changeSetArn, deleted: false };
    throw toTaskError(error, 'DeleteChangeSet', changeSetArn);
  }
  return { changeSetArn, deleted: true };
}
