import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TASK_NAMES, type TaskName, type TaskPayloads, Tasks } from '@cfn-safe-deploy/state-payloads';
import { Code } from 'aws-cdk-lib/aws-lambda';

/**
 * The task function packages, in the order of the task registry (`Tasks` of state-payloads): each
 * task's `functionName`, the package `packages/functions/<name>` (`@cfn-safe-deploy/function-<name>`).
 */
export const FUNCTION_NAMES = TASK_NAMES.map((task) => Tasks[task].functionName);
export type FunctionName = TaskPayloads<TaskName>['functionName'];

/** The function package that implements `task`. */
export function functionOf<T extends TaskName>(task: T): TaskPayloads<T>['functionName'] {
  return Tasks[task].functionName;
}

export function functionPackageName(name: FunctionName): string {
  return `@cfn-safe-deploy/function-${name}`;
}

/** What one task function may do, beyond writing its own logs. Least privilege is derived from this. */
export interface FunctionSpec {
  readonly description: string;
  /** CloudFormation API actions it calls, on stacks and change sets with an environment prefix. */
  readonly cloudFormationActions: readonly string[];
  /** Reads the source artifact (the zip named by revisionS3Bucket/revisionS3Key). */
  readonly readsArtifacts: boolean;
  /** Stages templates over 51,200 bytes in the template bucket (PutObject). */
  readonly stagesTemplates: boolean;
  /**
   * Passes a staged template's URL to CloudFormation, which reads it with its caller's rights: the
   * function needs GetObject on the staged templates.
   */
  readonly passesStagedTemplates: boolean;
  /** Passes the CloudFormation execution role (RoleARN) to CloudFormation. */
  readonly passesExecutionRole: boolean;
  /**
   * Publishes a cloud assembly's file assets by assuming the bootstrap's file-publishing role
   * (`cdk-<qualifier>-file-publishing-role-<account>-<region>`), which alone may write the asset bucket.
   */
  readonly publishesAssets?: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
}

export const FUNCTION_SPECS: Readonly<Record<FunctionName, FunctionSpec>> = {
  'publish-assets': {
    description:
      "Publishes the file assets of a cloud assembly in the source artifact to their destinations (cdk-assets-lib), as the bootstrap's file-publishing role.",
    cloudFormationActions: [],
    readsArtifacts: true,
    stagesTemplates: false,
    passesStagedTemplates: false,
    passesExecutionRole: false,
    publishesAssets: true,
    timeoutSeconds: 300,
    memoryMiB: 1024,
  },
  'load-template': {
    description:
      "Reads the deployment's template from the source artifact once: inline in the state, or staged in S3 when large.",
    cloudFormationActions: [],
    readsArtifacts: true,
    stagesTemplates: true,
    passesStagedTemplates: false,
    passesExecutionRole: false,
    timeoutSeconds: 120,
    memoryMiB: 512,
  },
  'check-stack-existence': {
    description:
      'Finds whether the target stack exists and in which status, and what the workflow does next.',
    cloudFormationActions: ['cloudformation:DescribeStacks'],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: false,
    passesExecutionRole: false,
    timeoutSeconds: 30,
    memoryMiB: 256,
  },
  'create-stack': {
    description: 'Creates the stack from the template Load Template put in the state.',
    cloudFormationActions: [
      'cloudformation:CreateStack',
      'cloudformation:DescribeStacks',
      'cloudformation:DescribeStackEvents',
      'cloudformation:TagResource',
    ],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: true,
    passesExecutionRole: true,
    timeoutSeconds: 60,
    memoryMiB: 256,
  },
  'delete-stack': {
    description: 'Deletes a stack left in ROLLBACK_COMPLETE so that it can be created again.',
    cloudFormationActions: ['cloudformation:DeleteStack', 'cloudformation:DescribeStacks'],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: false,
    passesExecutionRole: true,
    timeoutSeconds: 30,
    memoryMiB: 256,
  },
  'get-stack-status': {
    description: 'Reports the progress of a stack operation and, when it failed, the first failed resource.',
    cloudFormationActions: ['cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents'],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: false,
    passesExecutionRole: false,
    timeoutSeconds: 60,
    memoryMiB: 256,
  },
  'create-change-set': {
    description:
      'Creates the change set of this deployment from the template Load Template put in the state.',
    cloudFormationActions: [
      'cloudformation:CreateChangeSet',
      'cloudformation:DescribeChangeSet',
      'cloudformation:TagResource',
      // At the stack's limit of change sets: the old failed ones of earlier deployments are swept.
      'cloudformation:ListChangeSets',
      'cloudformation:DeleteChangeSet',
    ],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: true,
    passesExecutionRole: true,
    timeoutSeconds: 60,
    memoryMiB: 256,
  },
  'get-change-set-status': {
    description: 'Reports the status of the change set (wait, inspect, no changes or failed).',
    cloudFormationActions: ['cloudformation:DescribeChangeSet'],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: false,
    passesExecutionRole: false,
    timeoutSeconds: 30,
    memoryMiB: 256,
  },
  'inspect-change-set': {
    description: 'Judges every page of the change set and its nested change sets with the change-set policy.',
    cloudFormationActions: ['cloudformation:DescribeChangeSet'],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: false,
    passesExecutionRole: false,
    timeoutSeconds: 300,
    memoryMiB: 512,
  },
  'execute-change-set': {
    description: 'Executes the change set, only when its inspection found it safe.',
    cloudFormationActions: ['cloudformation:ExecuteChangeSet', 'cloudformation:DescribeChangeSet'],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: false,
    // The change set carries the role given at CreateChangeSet: CloudFormation uses it without PassRole here.
    passesExecutionRole: false,
    timeoutSeconds: 30,
    memoryMiB: 256,
  },
  'delete-change-set': {
    description: 'Deletes the change set of this deployment (unsafe or no-op) without executing it.',
    cloudFormationActions: ['cloudformation:DeleteChangeSet'],
    readsArtifacts: false,
    stagesTemplates: false,
    passesStagedTemplates: false,
    passesExecutionRole: false,
    timeoutSeconds: 30,
    memoryMiB: 256,
  },
};

/** Thrown when a function package or its built bundle cannot be found. */
export class FunctionBundleError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FunctionBundleError';
  }
}

const require = createRequire(import.meta.url);

/**
 * The `dist/` folder of a function package, found through the workspace link in this package's
 * node_modules (every function package is a `workspace:*` dependency, so Nx builds it first).
 */
export function functionDistFolder(name: FunctionName): string {
  const packageName = functionPackageName(name);
  let manifest: string;
  try {
    manifest = require.resolve(`${packageName}/package.json`);
  } catch (error) {
    throw new FunctionBundleError(
      `function package ${packageName} was not found from apps/state-machine: expected it as a workspace:* dependency of @cfn-safe-deploy/state-machine`,
      { cause: error },
    );
  }
  const dist = join(dirname(manifest), 'dist');
  if (!existsSync(join(dist, 'index.mjs'))) {
    throw new FunctionBundleError(
      `${join(dist, 'index.mjs')} does not exist: build the function first (pnpm nx run ${name}:build)`,
    );
  }
  return dist;
}

/**
 * What of a function's `dist/` folder goes to Lambda: the bundle and its source map. The esbuild
 * metafile (`meta.json`, larger than the bundle) is a build report, not code.
 */
export const FUNCTION_ASSET_EXCLUDE: readonly string[] = ['meta.json'];

/**
 * Lambda code from the built bundle of a function package (what is tested is what is deployed).
 * The source map ships with it but is not enabled: `NODE_OPTIONS=--enable-source-maps` on a function
 * maps its stack traces to the TypeScript sources at ~20 ms more per cold start (docs/lambda-bundles.md).
 */
export function bundledFunctionCode(name: FunctionName): Code {
  return Code.fromAsset(functionDistFolder(name), { exclude: [...FUNCTION_ASSET_EXCLUDE] });
}

/**
 * Placeholder code for synthesis that does not deploy: the definition and the IAM policies do not
 * depend on the bundle, so tests and the ASL export need no build.
 */
export function placeholderFunctionCode(name: FunctionName): Code {
  return Code.fromInline(
    `exports.handler = async () => { throw new Error('placeholder for ${name}: deploy with the bundled code'); };`,
  );
}
