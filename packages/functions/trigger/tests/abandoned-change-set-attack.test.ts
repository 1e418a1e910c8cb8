import { DeleteChangeSetCommand, DescribeChangeSetCommand } from '@aws-sdk/client-cloudformation';
import { changeSetDescriptionFor, changeSetNameFor, executionArnFor } from '@cfn-safe-deploy/state-payloads';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLEAN_UP_PATIENCE_MS, cleanUpAbandonedChangeSet } from '../src/abandoned-change-set.js';
import { STATE_MACHINE_ARN } from './fixtures.js';
import { cfn, cfnMock } from './mocked-clients.js';

// Attacks on the Trigger's clean-up of a never-executed change set. A failing test is a finding.

const EXECUTION_NAME = 'job-attack-1';
const EXECUTION_ARN = executionArnFor(STATE_MACHINE_ARN, EXECUTION_NAME);
const STACK = 'prod-app';
const CHANGE_SET = changeSetNameFor(STACK, EXECUTION_NAME);
const input = JSON.stringify({ environmentName: 'prod', stackName: 'app' });

beforeEach(() => {
  cfnMock.reset();
  cfnMock.on(DeleteChangeSetCommand).resolves({});
});

describe('attack: the clean-up of an abandoned change set', () => {
  it('does not keep the job waiting forever when DescribeExecution gave no stopDate', async () => {
    // Prepare: the change set never leaves CREATE_IN_PROGRESS (CloudFormation stuck), and the
    // execution's answer has no stopDate: the patience then runs from the change set's creation.
    cfnMock.on(DescribeChangeSetCommand).resolves({
      ChangeSetId: `arn:aws:cloudformation:eu-west-1:123456789012:changeSet/${CHANGE_SET}/1`,
      ChangeSetName: CHANGE_SET,
      StackName: STACK,
      Description: changeSetDescriptionFor(EXECUTION_NAME),
      Status: 'CREATE_IN_PROGRESS',
      ExecutionStatus: 'UNAVAILABLE',
      CreationTime: new Date('2026-12-04T10:00:00Z'),
    });
    const ended = { executionArn: EXECUTION_ARN, input };

    // Act: asked again a day later
    const first = await cleanUpAbandonedChangeSet(cfn, ended, new Date('2026-12-04T10:00:00Z'));
    const dayLater = await cleanUpAbandonedChangeSet(
      cfn,
      ended,
      new Date(Date.parse('2026-12-04T10:00:00Z') + 24 * 60 * 60 * 1000 + CLEAN_UP_PATIENCE_MS),
    );

    // Assess: still "pending" a day later means the Trigger answers `continue` until CodePipeline's
    // own action timeout fails the job, with the change set never reported.
    expect(first.kind).toBe('pending');
    expect(dayLater.kind).not.toBe('pending');
  });
});
