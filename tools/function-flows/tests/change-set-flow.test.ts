/**
 * The change-set tasks against moto, run through the BUILT bundles (dist/index.mjs, as Lambda runs
 * them) the way the Deploy state machine runs them: each handler receives the whole deploy state and
 * its result is stored under its ResultKeys entry.
 * moto's change sets carry no Replacement/Details: "replacement refused" is covered by unit tests.
 */
import {
  type CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type DeployState,
  ResultKeys,
  type TaskName,
  type TaskResult,
} from '@cfn-safe-deploy/state-payloads';
import { awsTestEnv, cloudFormationFor, s3For } from '@cfn-safe-deploy/testing';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { bundledHandler, type Handler } from './bundles.js';

const BUCKET = 'pipeline-artifacts';
const TEMPLATE_PATH = 'cdk.out/App.template.json';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const queue = (visibilityTimeout: number) => ({
  Type: 'AWS::SQS::Queue',
  Properties: { VisibilityTimeout: visibilityTimeout },
});
const ORIGINAL: Resources = { Orders: queue(30), Audit: queue(30) };

/** The task functions, each its own package, loaded from their bundles after the environment points at moto. */
const packages = {
  loadTemplate: 'load-template',
  createChangeSet: 'create-change-set',
  getChangeSetStatus: 'get-change-set-status',
  inspectChangeSet: 'inspect-change-set',
  executeChangeSet: 'execute-change-set',
  deleteChangeSet: 'delete-change-set',
} as const;
type ChangeSetTask = keyof typeof packages;
const handlers = new Map<ChangeSetTask, Handler<TaskResult<TaskName>>>();

/** Runs a task as a Task state would: the whole state in, the result stored at its ResultPath. */
async function run(task: ChangeSetTask, state: DeployState): Promise<DeployState> {
  const handler = handlers.get(task);
  if (!handler) throw new Error(`handler ${task} not loaded`);
  return { ...state, [ResultKeys[task]]: await handler(state) };
}

let cfn: CloudFormationClient;
let s3: S3Client;

beforeAll(async () => {
  const endpoint = inject('motoEndpoint');
  Object.assign(process.env, awsTestEnv(endpoint));
  cfn = cloudFormationFor(endpoint);
  s3 = s3For(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const task of Object.keys(packages) as ChangeSetTask[]) {
    handlers.set(task, await bundledHandler<TaskResult<TaskName>>(packages[task]));
  }
});

/** A stack created directly (as an earlier deployment would have) and the state, after Load Template, of a new deployment of `resources`. */
async function deployment(name: string, resources: Resources): Promise<DeployState> {
  const stackName = `it-${name}`;
  const created = await cfn.send(
    new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify({ Resources: ORIGINAL }) }),
  );
  const key = `${name}/source.zip`;
  const zip = zipSync({ [TEMPLATE_PATH]: strToU8(JSON.stringify({ Resources: resources }, null, 2)) });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: zip }));
  // Load Template runs first, as in the state machine: the change set is created from $.template.
  return run('loadTemplate', {
    input: {
      environmentName: 'it',
      stackName: name,
      templatePath: TEMPLATE_PATH,
      revisionS3Bucket: BUCKET,
      revisionS3Key: key,
      onUnsafeChange: 'fail',
    },
    deploymentId: `job-${name}`,
    stack: {
      stackName,
      exists: true,
      ...(created.StackId ? { stackId: created.StackId } : {}),
      status: 'CREATE_COMPLETE',
      changeSetType: 'UPDATE',
      next: 'update',
      reason: 'the stack exists and can be updated',
    },
  });
}

/** Create Change Set, then Get Change Set Status while it says "wait" (moto is synchronous: at most once). */
async function createAndSettle(state: DeployState): Promise<DeployState> {
  let current = await run('createChangeSet', state);
  for (let i = 0; i < 5 && current.changeSet?.next === 'wait'; i++)
    current = await run('getChangeSetStatus', current);
  return current;
}

async function changeSetArns(stackName: string): Promise<string[]> {
  const listed = await cfn.send(new ListChangeSetsCommand({ StackName: stackName }));
  // moto 5.2.1 lists the change sets of every stack here: keep this stack's own.
  return (listed.Summaries ?? [])
    .filter((summary) => summary.StackName === stackName)
    .map((summary) => summary.ChangeSetId ?? '');
}

async function logicalIds(stackName: string): Promise<string[]> {
  const described = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
  return (described.StackResources ?? []).map((resource) => resource.LogicalResourceId ?? '').sort();
}

describe('change-set tasks against moto (built bundles)', () => {
  it('updates the stack through a change set judged safe (an added queue)', async () => {
    // Prepare
    const state = await deployment('safe', { ...ORIGINAL, Events: queue(45) });

    // Act
    const settled = await createAndSettle(state);
    const inspected = await run('inspectChangeSet', settled);
    const executed = await run('executeChangeSet', inspected);

    // Assess
    expect(settled.changeSet).toMatchObject({
      changeSetType: 'UPDATE',
      next: 'inspect',
      status: 'CREATE_COMPLETE',
    });
    expect(inspected.inspection).toMatchObject({
      changeSetArn: settled.changeSet?.changeSetArn,
      verdict: 'CAN-SAFELY-UPDATE-EXISTING-STACK',
      findingCount: 0,
      changeCount: 1,
    });
    expect(executed.operation).toMatchObject({
      kind: 'update',
      stackName: 'it-safe',
      outcome: 'in-progress',
    });
    const stacks = await cfn.send(new DescribeStacksCommand({ StackName: 'it-safe' }));
    expect(stacks.Stacks?.[0]?.StackStatus).toBe('UPDATE_COMPLETE');
    expect(await logicalIds('it-safe')).toEqual(['Audit', 'Events', 'Orders']);
    const template = await cfn.send(new GetTemplateCommand({ StackName: 'it-safe' }));
    expect(JSON.parse(template.TemplateBody ?? '{}').Resources.Events.Properties.VisibilityTimeout).toBe(45);
  });

  it('fails closed on a Modify whose Replacement is unknown (moto reports none), leaving the stack as it was', async () => {
    // Prepare
    const state = await deployment('modify', { Orders: queue(60), Audit: queue(30) });

    // Act
    const inspected = await run('inspectChangeSet', await createAndSettle(state));

    // Assess
    expect(inspected.inspection).toMatchObject({
      verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
      findingCount: 1,
    });
    expect(inspected.inspection?.findings[0]).toMatchObject({
      logicalResourceId: 'Orders',
      action: 'Modify',
      replacement: null,
      rule: 'known-replacement',
    });
    await expect(run('executeChangeSet', inspected)).rejects.toMatchObject({ name: 'SafetyRefusedError' });
    const template = await cfn.send(new GetTemplateCommand({ StackName: 'it-modify' }));
    expect(JSON.parse(template.TemplateBody ?? '{}').Resources.Orders.Properties.VisibilityTimeout).toBe(30);
  });

  it('answers no-changes for the template the stack already has, and deletes the change set', async () => {
    // Prepare
    const state = await deployment('same', ORIGINAL);

    // Act
    const settled = await createAndSettle(state);
    const deleted = await run('deleteChangeSet', settled);

    // Assess
    // moto answers with a FAILED change set ("didn't contain changes"); AWS may also refuse at CreateChangeSet.
    expect(settled.changeSet?.next).toBe('no-changes');
    const arn = settled.changeSet?.changeSetArn;
    expect(deleted.changeSetDeletion).toEqual(
      arn === undefined ? { deleted: false } : { changeSetArn: arn, deleted: true },
    );
    expect(await changeSetArns('it-same')).toEqual([]);
  });

  it('refuses a change set that removes a resource: nothing is executed and the change set is deleted', async () => {
    // Prepare
    const state = await deployment('removal', { Orders: queue(30) });

    // Act
    const settled = await createAndSettle(state);
    const inspected = await run('inspectChangeSet', settled);
    const execution = run('executeChangeSet', inspected);
    await expect(execution).rejects.toMatchObject({ name: 'SafetyRefusedError' });
    const deleted = await run('deleteChangeSet', inspected);

    // Assess
    expect(inspected.inspection).toMatchObject({
      verdict: 'RESOURCES-BEING-DELETED-OR-REPLACED',
      findingCount: 1,
    });
    expect(inspected.inspection?.findings[0]).toMatchObject({
      stackPath: [],
      logicalResourceId: 'Audit',
      resourceType: 'AWS::SQS::Queue',
      action: 'Remove',
    });
    const arn = settled.changeSet?.changeSetArn;
    expect(deleted.changeSetDeletion).toEqual({ changeSetArn: arn, deleted: true });
    expect(await changeSetArns('it-removal')).not.toContain(arn);
    expect(await logicalIds('it-removal')).toEqual(['Audit', 'Orders']);
    const stacks = await cfn.send(new DescribeStacksCommand({ StackName: 'it-removal' }));
    expect(stacks.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('names the blue/green stack for an unsafe change when the input asks for blue/green', async () => {
    // Prepare
    const base = await deployment('bluegreen', { Orders: queue(30) });
    const state: DeployState = { ...base, input: { ...base.input, onUnsafeChange: 'blue-green' } };

    // Act
    const inspected = await run('inspectChangeSet', await createAndSettle(state));

    // Assess
    expect(inspected.inspection?.verdict).toBe('RESOURCES-BEING-DELETED-OR-REPLACED');
    expect(inspected.inspection?.blueGreenStackName).toMatch(/^it-bluegreen-bg-[0-9a-f]{8}$/);
  });
});
