import { randomBytes } from 'node:crypto';
import { DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { StackCheck, StackOperation, TemplateSource } from '@cfn-safe-deploy/state-payloads';
import { awsTestEnv, cloudFormationFor, s3For } from '@cfn-safe-deploy/testing';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { bundledHandler, type Handler } from './bundles.js';

/**
 * The stack path of the Deploy state machine, run through the BUILT bundles (dist/index.mjs, as
 * Lambda runs them) against moto: the SDK inside each bundle finds moto through AWS_ENDPOINT_URL_*.
 */

const endpoint = inject('motoEndpoint');
const cfn = cloudFormationFor(endpoint);
const s3 = s3For(endpoint);
const run = randomBytes(4).toString('hex');
const artifactBucket = `artifacts-${run}`;
const stagingBucket = `staging-${run}`;

const QUEUE_TEMPLATE =
  'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  QueueUrl:\n    Value: !Ref Queue\n';

async function putSource(key: string, files: Record<string, string>): Promise<void> {
  const archive = zipSync(
    Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])),
  );
  await s3.send(new PutObjectCommand({ Bucket: artifactBucket, Key: key, Body: archive }));
}

function deployState(stackName: string, key: string, templatePath: string) {
  return {
    input: {
      environmentName: 'it',
      stackName,
      templatePath,
      revisionS3Bucket: artifactBucket,
      revisionS3Key: key,
      tags: { suite: 'integration' },
    },
    deploymentId: `job-${stackName}`,
  };
}

/** The state after Load Template, as the state machine passes it on. */
async function loadedState(stackName: string, key: string, templatePath: string) {
  const state = deployState(stackName, key, templatePath);
  return { ...state, template: await loadTemplate(state) };
}

let loadTemplate: Handler<TemplateSource>;
let checkStackExistence: Handler<StackCheck>;
let createStack: Handler<StackOperation>;
let deleteStack: Handler<StackOperation>;
let getStackStatus: Handler<StackOperation>;

beforeAll(async () => {
  for (const [name, value] of Object.entries({ ...awsTestEnv(endpoint), TEMPLATE_BUCKET: stagingBucket })) {
    vi.stubEnv(name, value);
  }
  vi.stubEnv('CFN_EXECUTION_ROLE_ARN', '');
  await s3.send(new CreateBucketCommand({ Bucket: artifactBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: stagingBucket }));
  loadTemplate = await bundledHandler('load-template');
  checkStackExistence = await bundledHandler('check-stack-existence');
  createStack = await bundledHandler('create-stack');
  deleteStack = await bundledHandler('delete-stack');
  getStackStatus = await bundledHandler('get-stack-status');
});

describe('stack path against moto (built bundles)', () => {
  it('creates a missing stack, sees it complete, then finds it updatable', async () => {
    // Prepare
    const name = `queue-${run}`;
    await putSource('queue.zip', { 'infra/queue.yaml': QUEUE_TEMPLATE, 'README.md': 'x' });
    const state = await loadedState(name, 'queue.zip', 'infra/queue.yaml');

    // Act
    const missing = await checkStackExistence(state);
    const created = await createStack({ ...state, stack: missing });
    const polled = await getStackStatus({ ...state, stack: missing, operation: created });
    const again = await checkStackExistence(state);

    // Assess
    expect(missing).toMatchObject({
      stackName: `it-${name}`,
      exists: false,
      next: 'create',
      changeSetType: 'CREATE',
    });
    expect(created).toMatchObject({ kind: 'create', stackName: `it-${name}`, outcome: 'in-progress' });
    expect(polled).toMatchObject({
      stackId: created.stackId,
      status: 'CREATE_COMPLETE',
      outcome: 'succeeded',
    });
    expect(again).toMatchObject({
      exists: true,
      stackId: created.stackId,
      status: 'CREATE_COMPLETE',
      next: 'update',
      changeSetType: 'UPDATE',
    });
    const described = await cfn.send(new DescribeStacksCommand({ StackName: created.stackId }));
    expect(described.Stacks?.[0]?.Tags).toEqual([{ Key: 'suite', Value: 'integration' }]);
  });

  // A Lambda retry that finds its own stack is unit-tested (create-stack.test.ts): moto does not
  // record client request tokens on stack events, so here only the refusal can be shown.
  it('refuses to create over a stack that another deployment created', async () => {
    // Prepare
    const name = `retry-${run}`;
    await putSource('retry.zip', { 'queue.yaml': QUEUE_TEMPLATE });
    const state = await loadedState(name, 'retry.zip', 'queue.yaml');
    const missing = await checkStackExistence(state);

    await createStack({ ...state, stack: missing });

    // Act
    const second = createStack({ ...state, deploymentId: 'job-other', stack: missing });

    // Assess
    await expect(second).rejects.toThrow(/already exists .*not created by deployment job-other/);
  });

  it('stages a template over 51,200 bytes in TEMPLATE_BUCKET and creates from its URL', async () => {
    // Prepare
    const name = `large-${run}`;
    const large = `${QUEUE_TEMPLATE}Metadata:\n  Padding: ${'x'.repeat(60_000)}\n`;
    await putSource('large.zip', { 'large.yaml': large });
    const state = await loadedState(name, 'large.zip', 'large.yaml');
    const missing = await checkStackExistence(state);

    // Act
    const created = await createStack({ ...state, stack: missing });
    const polled = await getStackStatus({ ...state, stack: missing, operation: created });

    // Assess
    const key = `templates/it-${name}/job-${name}.template`;
    // The SDK reaches moto through AWS_ENDPOINT_URL_S3, which is not a client `endpoint`: the URL is
    // S3's own, and moto's CloudFormation reads it from moto's S3 by bucket and key.
    expect(state.template).toEqual({
      url: `https://${stagingBucket}.s3.us-east-1.amazonaws.com/${key}`,
      bytes: large.length,
    });
    const staged = await s3.send(new GetObjectCommand({ Bucket: stagingBucket, Key: key }));
    expect(await staged.Body?.transformToString()).toBe(large);
    expect(polled.outcome).toBe('succeeded');
    // the stack moto created holds the staged template, read back
    const deployed = await cfn.send(new GetTemplateCommand({ StackName: created.stackId }));
    expect(deployed.TemplateBody).toBe(large);
  });

  it('refuses to delete a working stack even when asked to recreate it', async () => {
    // Prepare
    const name = `keep-${run}`;
    await putSource('keep.zip', { 'queue.yaml': QUEUE_TEMPLATE });
    const state = await loadedState(name, 'keep.zip', 'queue.yaml');
    const missing = await checkStackExistence(state);
    const created = await createStack({ ...state, stack: missing });
    const forged: StackCheck = {
      ...missing,
      exists: true,
      stackId: created.stackId,
      status: 'ROLLBACK_COMPLETE',
      next: 'recreate',
    };

    // Act
    const deleting = deleteStack({ ...state, stack: forged });

    // Assess
    await expect(deleting).rejects.toMatchObject({ name: 'SafetyRefusedError' });
    const described = await cfn.send(new DescribeStacksCommand({ StackName: created.stackId }));
    expect(described.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
  });

  it('fails Load Template with an ArtifactError naming the missing template', async () => {
    // Prepare
    await putSource('wrong.zip', { 'other.yaml': QUEUE_TEMPLATE });
    const state = deployState(`wrong-${run}`, 'wrong.zip', 'queue.yaml');

    // Act
    const loading = loadTemplate(state);

    // Assess
    await expect(loading).rejects.toMatchObject({ name: 'ArtifactError' });
    await expect(loading).rejects.toThrow(/templatePath "queue\.yaml".*"other\.yaml"/);
  });
});
