import {
  type CloudFormationClient,
  DescribeStackEventsCommand,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import { pages } from './pages.js';

/** Bounds the paging: a failed operation's first failure is rarely more than a few pages back. */
const MAX_PAGES = 20;
const NOISE = /^Resource (creation|update|deletion) cancelled\.?$/i;

function isStackEvent(event: StackEvent, stackId: string): boolean {
  return (
    event.PhysicalResourceId === stackId ||
    (event.ResourceType === 'AWS::CloudFormation::Stack' && event.LogicalResourceId === event.StackName)
  );
}

function describe(event: StackEvent): string {
  return `${event.LogicalResourceId ?? '?'} (${event.ResourceType ?? '?'}): ${event.ResourceStatusReason ?? ''}`;
}

/**
 * Why a stack operation failed: the earliest failed resource event since `since`, as
 * "LogicalId (Type): reason" (skipping "Resource creation cancelled" noise from resources stopped
 * because another one failed), or else the stack's own first failure reason.
 */
export async function firstFailureReason(
  cfn: CloudFormationClient,
  stackId: string,
  since: Date,
): Promise<string | undefined> {
  const events: StackEvent[] = [];
  const history = pages({
    operation: 'DescribeStackEvents',
    subject: stackId,
    maxPages: MAX_PAGES,
    fetch: (nextToken) =>
      cfn.send(new DescribeStackEventsCommand({ StackName: stackId, NextToken: nextToken })),
  });
  for await (const page of history) {
    const pageEvents = page.StackEvents ?? [];
    const before = pageEvents.findIndex((event) => event.Timestamp !== undefined && event.Timestamp < since);
    events.push(...(before === -1 ? pageEvents : pageEvents.slice(0, before)));
    if (before !== -1 || pageEvents.length === 0) break;
  }
  // Events come newest first: the earliest failure is the last one found.
  const chronological = events.reverse();
  const allFailed = chronological.filter(
    (event) =>
      event.ResourceStatus?.endsWith('_FAILED') === true &&
      event.ResourceStatusReason !== undefined &&
      event.ResourceStatusReason !== '',
  );
  const failed = allFailed.filter((event) => !NOISE.test(event.ResourceStatusReason?.trim() ?? ''));
  const resourceFailure = failed.find((event) => !isStackEvent(event, stackId));
  if (resourceFailure !== undefined) return describe(resourceFailure);
  const stackReason = chronological.find(
    (event) =>
      isStackEvent(event, stackId) &&
      event.ResourceStatusReason !== undefined &&
      event.ResourceStatusReason !== '' &&
      /FAILED|ROLLBACK/.test(event.ResourceStatus ?? ''),
  );
  if (stackReason !== undefined) return stackReason.ResourceStatusReason;
  return allFailed[0] === undefined ? undefined : describe(allFailed[0]);
}
