import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSetsLeft, deployJson, startTestEmulator, type TestEmulator } from './helpers.js';

// A resource whose Condition turns false is deleted by CloudFormation on update: the emulator's change
// sets must list it as a Remove, so that the workflow refuses it end to end.
const STACK = 'qa-conditions';

function template(archiveCondition?: string): string {
  return `Parameters:
  environmentName:
    Type: String
Conditions:
  Never: !Equals ['on', 'off']
  IsProd: !Equals [!Ref environmentName, 'prod']
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Archive:
    Type: AWS::SQS::Queue
${archiveCondition ? `    Condition: ${archiveCondition}\n` : ''}    Properties:
      MessageRetentionPeriod: 1209600
`;
}

function source(root: string, name: string, body: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'template.yaml'), body);
  return dir;
}

const input = {
  environmentName: 'qa',
  stackName: 'conditions',
  templatePath: 'template.yaml',
  parameters: { environmentName: 'qa' },
};

describe('safe-deploy deploy: a resource whose Condition changes', () => {
  let emulator: TestEmulator;
  let root: string;
  const resources = async () =>
    ((await emulator.cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? [])
      .map((r) => r.LogicalResourceId)
      .sort();

  beforeAll(async () => {
    emulator = await startTestEmulator();
    root = mkdtempSync(join(tmpdir(), 'safe-deploy-conditions-'));
    const { code } = await deployJson(emulator, source(root, 'v1', template()), input);
    expect(code).toBe(0);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('GIVEN a queue WHEN it gains a Condition that is false THEN it is refused as a removal and the queue is kept', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, source(root, 'never', template('Never')), input);
    // Assess
    expect(code).toBe(1);
    expect(summary).toMatchObject({ result: 'Failed', verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED' });
    expect(summary.message).toMatch(/Archive/);
    expect(summary.message).toMatch(/Remove/);
    expect(await resources()).toEqual(['Archive', 'Queue']);
    expect(await changeSetsLeft(emulator.cfn, STACK)).toBe(0);
  });

  it('GIVEN a queue WHEN it gains a Condition that reads a parameter THEN it is refused as Dynamic', async () => {
    // Act
    const { code, summary } = await deployJson(emulator, source(root, 'is-prod', template('IsProd')), input);
    // Assess
    expect(code).toBe(1);
    expect(summary.message).toMatch(/Archive/);
    expect(summary.message).toMatch(/Dynamic/);
    expect(await resources()).toEqual(['Archive', 'Queue']);
  });
});
