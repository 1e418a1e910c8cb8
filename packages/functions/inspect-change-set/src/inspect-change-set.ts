import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  type ChangeSetPage,
  ChangeSetReadError,
  DEFAULT_POLICY,
  evaluate,
  type Policy,
  PolicyError,
  parsePolicy,
  readChangeSet,
  UNSAFE,
} from '@cfn-safe-deploy/changeset-policy';
import {
  classifyChangeSet,
  InvalidInputError,
  SafetyRefusedError,
  toTaskError,
} from '@cfn-safe-deploy/deploy-shared';
import {
  blueGreenStackNameFor,
  type Inspection,
  MAX_FINDINGS_IN_STATE,
  type TaskInput,
} from '@cfn-safe-deploy/state-payloads';

export interface InspectChangeSetDeps {
  readonly cfn: CloudFormationClient;
}

function policyOf(input: TaskInput<'inspectChangeSet'>['input']): Policy {
  if (input.policy === undefined) return DEFAULT_POLICY;
  try {
    return parsePolicy(input.policy);
  } catch (error) {
    if (error instanceof PolicyError)
      throw new InvalidInputError(`input.policy: ${error.message}`, { cause: error });
    throw error;
  }
}

async function readAllPages(
  cfn: CloudFormationClient,
  changeSetArn: string,
  stackName: string,
): Promise<ChangeSetPage[]> {
  try {
    return await readChangeSet(cfn, { changeSetArn, stackName });
  } catch (error) {
    if (error instanceof ChangeSetReadError) {
      // Classify the SDK error itself (throttling is retried), not the reader's wrapper.
      if (error.cause !== undefined) throw toTaskError(error.cause, 'DescribeChangeSet', error.changeSetArn);
      // A response that is not a change set, or paging that does not end: retrying cannot help.
      throw new SafetyRefusedError(`refusing to judge change set ${changeSetArn}: ${error.message}`, {
        cause: error,
      });
    }
    throw toTaskError(error, 'DescribeChangeSet', changeSetArn);
  }
}

/**
 * Judges the change set with the change-set policy: every page and every nested change set is
 * read (never only the first page), and the findings are capped to what fits in the state.
 */
export async function inspectChangeSet(
  input: TaskInput<'inspectChangeSet'>,
  deps: InspectChangeSetDeps,
): Promise<Inspection> {
  const { changeSet, deploymentId } = input;
  const changeSetArn = changeSet.changeSetArn;
  if (changeSet.next !== 'inspect' || changeSetArn === undefined) {
    throw new SafetyRefusedError(
      `refusing to inspect change set ${changeSet.changeSetName} of stack ${changeSet.stackName}: ` +
        `expected a created change set ready for inspection (next "inspect" and an ARN), got next "${changeSet.next}" and ${changeSetArn === undefined ? 'no ARN' : `ARN ${changeSetArn}`}`,
    );
  }
  const policy = policyOf(input.input);
  const pages = await readAllPages(deps.cfn, changeSetArn, changeSet.stackName);

  // The change set must still be the one that was judged executable (not OBSOLETE, not executed).
  const root = pages[0];
  const now = classifyChangeSet(root?.Status, root?.ExecutionStatus, root?.StatusReason);
  if (now.next !== 'inspect') {
    throw new SafetyRefusedError(
      `refusing to inspect change set ${changeSetArn}: it is no longer ready to execute (${now.reason ?? root?.Status})`,
    );
  }

  const evaluation = evaluate(pages, policy);
  const changeCount = pages.reduce((count, page) => count + page.Changes.length, 0);
  const blueGreen = evaluation.verdict === UNSAFE && input.input.onUnsafeChange === 'blue-green';
  return {
    changeSetArn,
    verdict: evaluation.verdict,
    findings: evaluation.findings.slice(0, MAX_FINDINGS_IN_STATE),
    findingCount: evaluation.findings.length,
    allowed: evaluation.allowed.slice(0, MAX_FINDINGS_IN_STATE),
    allowedCount: evaluation.allowed.length,
    changeCount,
    ...(blueGreen ? { blueGreenStackName: blueGreenStackNameFor(changeSet.stackName, deploymentId) } : {}),
  };
}
