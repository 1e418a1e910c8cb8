import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSetsLeft, deployJson, stackStatus, startTestEmulator, type TestEmulator } from './helpers.js';

/**
 * Template errors end to end: the front answers them as CloudFormation does, and the deployment
 * fails at once (no retry) with the template's file and CloudFormation's reason, touching nothing.
 */
const GOOD = `Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 30
`;

function source(root: string, name: string, body: string): string {
  const dir = join(root, name, 'cfn');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.yaml'), body);
  return join(root, name);
}

const input = (stackName: string) => ({ environmentName: 'qa', stackName, templatePath: 'cfn/app.yaml' });

let emulator: TestEmulator;
let root: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  root = mkdtempSync(join(tmpdir(), 'safe-deploy-template-errors-'));
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
});

describe('a template CloudFormation refuses', () => {
  it.each([
    ['not YAML', 'Resources:\n  Queue: [unclosed\n', 'Template format error: YAML not well-formed'],
    [
      'an unknown resource type',
      `${GOOD}  Thing:\n    Type: AWS::Nope::Thing\n`,
      'Template format error: Unrecognized resource types: [AWS::Nope::Thing]',
    ],
    [
      'an unresolved Ref',
      `${GOOD}  Setting:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: !Ref Missing\n`,
      'Unresolved resource dependencies [Missing]',
    ],
  ])(
    'fails a first deployment at once with %s, naming the file and the reason',
    async (_case, body, reason) => {
      const stack = `bad-${crypto.randomUUID().slice(0, 8)}`;
      const run = await deployJson(emulator, source(root, stack, body), input(stack));

      expect(run.code).toBe(1);
      expect(run.summary.result).toBe('Failed');
      expect(run.summary.message).toContain('the template cfn/app.yaml is invalid');
      expect(run.summary.message).toContain(reason);
      // Never retried as a transient error: the failing state ran once, then the failure was described.
      expect(run.summary.path.filter((state) => state === 'Create Stack')).toHaveLength(1);
      expect(await stackStatus(emulator.cfn, `qa-${stack}`)).toBeUndefined();
    },
  );

  it('fails an update at once and leaves the stack on its template, with no change set', async () => {
    const stack = `upd-${crypto.randomUUID().slice(0, 8)}`;
    const created = await deployJson(emulator, source(root, `${stack}-1`, GOOD), input(stack));
    expect(created.summary.result).toBe('Succeeded');

    const run = await deployJson(
      emulator,
      source(root, `${stack}-2`, `${GOOD}  Thing:\n    Type: AWS::Nope::Thing\n`),
      input(stack),
    );

    expect(run.code).toBe(1);
    expect(run.summary.message).toContain('the template cfn/app.yaml is invalid (CreateChangeSet');
    expect(run.summary.message).toContain('Unrecognized resource types: [AWS::Nope::Thing]');
    expect(run.summary.path.filter((state) => state === 'Create Change Set')).toHaveLength(1);
    expect(await stackStatus(emulator.cfn, `qa-${stack}`)).toBe('CREATE_COMPLETE');
    const template = await emulator.cfn.send(new GetTemplateCommand({ StackName: `qa-${stack}` }));
    expect(template.TemplateBody).not.toContain('AWS::Nope::Thing');
    expect(await changeSetsLeft(emulator.cfn, `qa-${stack}`)).toBe(0);
  });
});
