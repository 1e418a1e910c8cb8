import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsTestEnv, type MotoServer, startMoto, TEST_REGION } from '@cfn-safe-deploy/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AslDefinition,
  DEFAULT_PARAMETER_NAME,
  FUNCTION_NAMES,
  functionNameOf,
  STACK_NAME,
  synthesizeDeployDefinition,
} from '../src/index.js';

const run = promisify(execFile);
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing', sessionToken: 'testing' };

/** Runs the CDK CLI of this package against moto. */
async function cdk(args: string[], env: Record<string, string>, cwd = projectRoot): Promise<string> {
  const { stdout, stderr } = await run(join(projectRoot, 'node_modules', '.bin', 'cdk'), args, {
    cwd,
    env: { ...process.env, ...env, CDK_DISABLE_VERSION_CHECK: 'true', CI: 'true' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return `${stdout}\n${stderr}`;
}

describe('deploying the state machine stack alone into a fresh moto (cdk bootstrap + cdk deploy)', () => {
  let moto: MotoServer;
  let outdir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    moto = await startMoto();
    outdir = await mkdtemp(join(tmpdir(), 'state-machine-cdk-out-'));
    env = {
      ...awsTestEnv(moto.endpoint),
      CDK_DEFAULT_ACCOUNT: '123456789012',
      CDK_DEFAULT_REGION: TEST_REGION,
    };
    // GIVEN a bootstrapped moto
    // (run outside the project, so that bootstrap does not synthesize the app)
    await cdk(['bootstrap', `aws://123456789012/${TEST_REGION}`], env, outdir);
    // WHEN the stack is deployed alone, the way `nx run state-machine:deploy` does
    await cdk(
      [
        'deploy',
        STACK_NAME,
        '--exclusively',
        '--method=direct',
        '--require-approval',
        'never',
        '--output',
        outdir,
        '--no-validation',
        '-c',
        'local=true',
      ],
      env,
    );
  });

  afterAll(async () => {
    await moto?.stop();
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  it('THEN the SSM parameter holds the ARN of a state machine whose Tasks invoke the right functions', async () => {
    // Prepare
    const clientConfig = { endpoint: moto.endpoint, region: TEST_REGION, credentials };
    const ssm = new SSMClient(clientConfig);
    const sfn = new SFNClient(clientConfig);
    const lambda = new LambdaClient(clientConfig);
    const expected = synthesizeDeployDefinition();

    // Act
    const parameter = await ssm.send(new GetParameterCommand({ Name: DEFAULT_PARAMETER_NAME }));
    const machine = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: parameter.Parameter?.Value }),
    );
    const definition = JSON.parse(machine.definition ?? '{}') as AslDefinition;
    const deployedTasks: Record<string, string | undefined> = {};
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type !== 'Task' || !state.Resource) continue;
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: state.Resource }));
      const service = fn.Configuration?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME ?? '';
      deployedTasks[name] = functionNameOf(service.replace(/^cfn-safe-deploy-/, ''));
      // moto reports x86_64 whatever the template says: the architecture is checked in the template test.
      expect(fn.Configuration).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler' });
    }

    // Assess
    expect(machine.status).toBe('ACTIVE');
    expect(Object.keys(definition.States).sort()).toEqual(Object.keys(expected.definition.States).sort());
    expect(deployedTasks).toEqual(expected.taskFunctions);
    expect(new Set(Object.values(deployedTasks))).toEqual(new Set(FUNCTION_NAMES));
  });
});
