import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployJson, stackStatus, startTestEmulator, type TestEmulator } from './helpers.js';

// Attacks, end to end through `safe-deploy deploy --json`, with hand-made cloud assemblies (no CDK
// synth). A failing test is a finding (see the attack report).

const topic = (name: string) => ({ Type: 'AWS::SNS::Topic', Properties: { TopicName: name } });

/** A source directory holding `cdk.out/` with the given manifest artifacts and files. */
function assembly(artifacts: Record<string, unknown>, files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'attack-assembly-'));
  mkdirSync(join(dir, 'cdk.out'));
  writeFileSync(join(dir, 'cdk.out', 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, 'cdk.out', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'cdk.out', name), JSON.stringify(body));
  }
  return dir;
}

const stackArtifact = (templateFile: string, stackName: string) => ({
  type: 'aws:cloudformation:stack',
  properties: { templateFile, stackName },
});

describe('attack: crafted cloud assemblies end to end', () => {
  let emulator: TestEmulator;
  const dirs: string[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('two artifacts with one stack name: refused before anything is deployed, not two executions on one stack', async () => {
    // Prepare: AppUs and AppEu (a multi-region app) both name the stack attack-app.
    const dir = assembly(
      {
        AppUs: stackArtifact('AppUs.template.json', 'attack-app'),
        AppEu: stackArtifact('AppEu.template.json', 'attack-app'),
      },
      {
        'AppUs.template.json': { Resources: { Us: topic('attack-us') } },
        'AppEu.template.json': { Resources: { Eu: topic('attack-eu') } },
      },
    );
    dirs.push(dir);

    // Act
    const { code, summary } = await deployJson(emulator, dir, {
      environmentName: 'attack',
      cloudAssembly: 'cdk.out',
    });

    // Assess: the job must fail naming the duplicate, and the stack must not exist.
    const deployed = await stackStatus(emulator.cfn, 'attack-app');
    const template =
      deployed === undefined
        ? ''
        : ((await emulator.cfn.send(new GetTemplateCommand({ StackName: 'attack-app' }))).TemplateBody ?? '');
    expect({ code, result: summary.result, deployed, template }).toMatchObject({
      code: 1,
      result: 'Failed',
      deployed: undefined,
    });
  });

  it('a stack beside a nested assembly (CDK stage): the run does not succeed with the stage never deployed', async () => {
    // Prepare
    const dir = assembly(
      {
        Shared: stackArtifact('Shared.template.json', 'attack-shared'),
        Regional: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Regional' } },
      },
      {
        'Shared.template.json': { Resources: { Shared: topic('attack-shared') } },
        'assembly-Regional/manifest.json': {
          version: '48.0.0',
          artifacts: { Regional: stackArtifact('Regional.template.json', 'attack-regional') },
        },
        'assembly-Regional/Regional.template.json': { Resources: { Regional: topic('attack-regional') } },
      },
    );
    dirs.push(dir);

    // Act
    const { code, summary } = await deployJson(emulator, dir, {
      environmentName: 'attack',
      cloudAssembly: 'cdk.out',
    });

    // Assess
    const regional = await stackStatus(emulator.cfn, 'attack-regional');
    expect({ code, result: summary.result, regional }).not.toMatchObject({
      code: 0,
      result: 'Succeeded',
      regional: undefined,
    });
  });
});
