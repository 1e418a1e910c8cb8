import { PolicySchema } from '@cfn-safe-deploy/changeset-policy';
import * as z from 'zod/mini';
import { PayloadValidationError, parseWith } from './errors.js';
import { isRecord } from './guards.js';
import { BucketSchema, deploymentShape, KeySchema, TemplatePathSchema } from './input-fields.js';
import { CLOUDFORMATION_NAME, CLOUDFORMATION_NAME_MAX } from './names.js';

// A CDK cloud assembly as the deployment's input: `{"environmentName", "cloudAssembly": "cdk.out",
// "stacks"?}`. What is read of the assembly's manifest.json, and the order its stacks deploy in.

/** An assembly's stack artifact id (CDK's construct path with `/` removed; letters, digits, `-`, `.`, `_`). */
const ArtifactIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(255), z.regex(/^[A-Za-z0-9._-]+$/, 'must be a stack artifact id'));

/** The input file with a cloud assembly instead of one template. */
export const AssemblyInputFileSchema = z.strictObject({
  environmentName: deploymentShape.environmentName,
  cloudAssembly: TemplatePathSchema,
  stacks: z.optional(
    z.array(ArtifactIdSchema).check(
      z.minLength(1, 'must name at least one stack artifact id (or be left out to deploy every stack)'),
      z.refine((ids) => new Set(ids).size === ids.length, 'must not name a stack twice'),
    ),
  ),
  parameters: deploymentShape.parameters,
  capabilities: deploymentShape.capabilities,
  tags: deploymentShape.tags,
  onUnsafeChange: deploymentShape.onUnsafeChange,
  policy: z.optional(PolicySchema),
  revisionS3Bucket: z.optional(BucketSchema),
  revisionS3Key: z.optional(KeySchema),
});
export type AssemblyInputFile = z.infer<typeof AssemblyInputFileSchema>;

/** True for an input file that names a cloud assembly (whatever else it holds). */
export function namesCloudAssembly(value: unknown): boolean {
  return isRecord(value) && 'cloudAssembly' in value;
}

export function parseAssemblyInputFile(
  value: unknown,
  source = 'state machine input file',
): AssemblyInputFile {
  if (isRecord(value)) {
    const both = ['stackName', 'templatePath'].filter((key) => key in value);
    if (both.length > 0) {
      throw new PayloadValidationError(source, [
        `${both.join(', ')}: not allowed with cloudAssembly (the stacks and their templates come from the assembly's manifest.json)`,
      ]);
    }
  }
  const file = parseWith(AssemblyInputFileSchema, value, source);
  if (file.onUnsafeChange !== 'fail') {
    throw new PayloadValidationError(source, [
      'onUnsafeChange: "blue-green" is not supported with a cloud assembly: a copy of a stack would export the same names as the stack it copies (CloudFormation refuses an export name that exists in the region), and the stacks importing them would still use the old ones; use "fail"',
    ]);
  }
  return file;
}

/** One stack of the assembly, as the deployment uses it. */
export interface AssemblyStack {
  readonly artifactId: string;
  /** The stack's name: `properties.stackName`, else the artifact id. */
  readonly stackName: string;
  /** The template's path in the source artifact (`<cloudAssembly>/<templateFile>`). */
  readonly templatePath: string;
  /** The stack artifacts it depends on (ids). */
  readonly dependsOn: readonly string[];
  /** Paths in the source artifact of the asset manifests it depends on (`<cloudAssembly>/<file>`). */
  readonly assetManifests: readonly string[];
  /** `aws://ACCOUNT/REGION` of the manifest (`unknown-account`, `unknown-region` when environment-agnostic). */
  readonly environment: string;
}

const ArtifactSchema = z.object({
  type: z.string(),
  environment: z.optional(z.string()),
  dependencies: z.optional(z.array(z.string())),
  properties: z.optional(z.record(z.string(), z.unknown())),
});

const ManifestSchema = z.object({
  version: z.string(),
  artifacts: z.optional(z.record(z.string(), ArtifactSchema)),
});

const STACK_TYPE = 'aws:cloudformation:stack';
const ASSET_MANIFEST_TYPE = 'cdk:asset-manifest';
const NESTED_ASSEMBLY_TYPE = 'cdk:cloud-assembly';

function join(directory: string, file: string): string {
  return `${directory.replace(/\/+$/, '')}/${file}`;
}

function fileOf(id: string, properties: Record<string, unknown>, key: string, where: string): string {
  const value = properties[key];
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.startsWith('/') ||
    value.split('/').includes('..')
  ) {
    throw new PayloadValidationError(where, [
      `artifacts.${id}.properties.${key}: must be a file of the assembly (got ${JSON.stringify(value) ?? 'nothing'})`,
    ]);
  }
  return value;
}

/**
 * The stacks of an assembly's manifest.json (its text, read from `cloudAssembly` of the source
 * artifact), in the order they must deploy: each after the stacks it depends on, otherwise in the
 * manifest's order. `stacks` picks some by artifact id; they deploy in dependency order whatever
 * order they are named in, and a stack they depend on that is not picked must already exist.
 * Every stack must be named `<environmentName>-…`: the Deploy state machine's roles manage no other.
 */
/** The most stacks one job deploys (a continuation token counts up to this). */
export const MAX_ASSEMBLY_STACKS = 10_000;

/** Where the Deploy state machine deploys: a stack for another account or region is refused. */
export interface DeployTarget {
  readonly account: string;
  readonly region: string;
}

export function planAssembly(
  manifestText: string,
  input: AssemblyInputFile,
  target?: DeployTarget,
): AssemblyStack[] {
  const where = `${join(input.cloudAssembly, 'manifest.json')} in the source artifact`;
  let value: unknown;
  try {
    value = JSON.parse(manifestText);
  } catch (error) {
    throw new PayloadValidationError(where, [
      `not JSON: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  const manifest = parseWith(ManifestSchema, value, where);
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const nested = artifacts.filter(([, artifact]) => artifact.type === NESTED_ASSEMBLY_TYPE).map(([id]) => id);
  const assetFiles = new Map<string, string>();
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of artifacts) {
    const properties = artifact.properties ?? {};
    if (artifact.type === ASSET_MANIFEST_TYPE) {
      assetFiles.set(id, join(input.cloudAssembly, fileOf(id, properties, 'file', where)));
    }
  }
  for (const [id, artifact] of artifacts) {
    if (artifact.type !== STACK_TYPE) continue;
    const properties = artifact.properties ?? {};
    const named = properties.stackName;
    if (named !== undefined && (typeof named !== 'string' || named.length === 0)) {
      throw new PayloadValidationError(where, [
        `artifacts.${id}.properties.stackName: must be a stack name (got ${JSON.stringify(named)})`,
      ]);
    }
    const stackName = named ?? id;
    const environment = artifact.environment ?? 'aws://unknown-account/unknown-region';
    const match = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(environment);
    if (match === null) {
      throw new PayloadValidationError(where, [
        `artifacts.${id}.environment: must be aws://ACCOUNT/REGION (got ${JSON.stringify(environment)})`,
      ]);
    }
    const [, account = '', region = ''] = match;
    if (
      target !== undefined &&
      (input.stacks === undefined || input.stacks.includes(id)) &&
      ((account !== 'unknown-account' && account !== target.account) ||
        (region !== 'unknown-region' && region !== target.region))
    ) {
      throw new PayloadValidationError(where, [
        `stack ${id} is for ${environment}, but this Deploy state machine deploys to aws://${target.account}/${target.region}; deploy it with the state machine of its account and region, or leave it out with "stacks"`,
      ]);
    }
    const dependencies = artifact.dependencies ?? [];
    stacks.push({
      artifactId: id,
      stackName,
      environment,
      templatePath: join(input.cloudAssembly, fileOf(id, properties, 'templateFile', where)),
      dependsOn: dependencies.filter((dependency) => manifest.artifacts?.[dependency]?.type === STACK_TYPE),
      assetManifests: dependencies.flatMap((dependency) => {
        const file = assetFiles.get(dependency);
        return file === undefined ? [] : [file];
      }),
    });
  }
  if (stacks.length === 0) {
    throw new PayloadValidationError(where, [
      nested.length > 0
        ? `the assembly has no stack of its own, only nested assemblies (CDK stages: ${nested.join(', ')}); name a stage's directory (e.g. ${join(input.cloudAssembly, `assembly-${nested[0]}`)}) as cloudAssembly`
        : 'the assembly has no stack (no artifact of type aws:cloudformation:stack)',
    ]);
  }
  if (nested.length > 0 && input.stacks === undefined) {
    throw new PayloadValidationError(where, [
      `the assembly also has nested assemblies (CDK stages: ${nested.join(', ')}), whose stacks this deployment would not deploy; name the stacks to deploy with "stacks", or a stage's directory (e.g. ${join(input.cloudAssembly, `assembly-${nested[0]}`)}) as cloudAssembly`,
    ]);
  }
  const byId = new Map(stacks.map((stack) => [stack.artifactId, stack]));
  const unknown = (input.stacks ?? []).filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new PayloadValidationError('state machine input file', [
      `stacks: ${unknown.map((id) => JSON.stringify(id)).join(', ')} ${unknown.length === 1 ? 'is not a stack' : 'are not stacks'} of the assembly ${input.cloudAssembly}; its stacks are ${stacks.map((stack) => stack.artifactId).join(', ')}`,
    ]);
  }
  const picked = new Set(input.stacks ?? stacks.map((stack) => stack.artifactId));
  const prefix = `${input.environmentName}-`;
  const misnamed = stacks.filter(
    (stack) =>
      picked.has(stack.artifactId) &&
      (!stack.stackName.startsWith(prefix) ||
        !CLOUDFORMATION_NAME.test(stack.stackName) ||
        stack.stackName.length > CLOUDFORMATION_NAME_MAX ||
        stack.stackName.length === prefix.length),
  );
  if (misnamed.length > 0) {
    throw new PayloadValidationError(where, [
      `${misnamed.map((stack) => `stack ${stack.artifactId} is named "${stack.stackName}"`).join('; ')}: with environmentName "${input.environmentName}" every stack deployed must be named "${prefix}…" (letters, digits, hyphens; at most ${CLOUDFORMATION_NAME_MAX} characters), the stacks the Deploy state machine may manage; give it that stackName in the CDK app`,
    ]);
  }
  const chosen = stacks.filter((stack) => picked.has(stack.artifactId));
  // One Deploy state machine deploys to its own account and region: stacks bound to different
  // ones cannot all be right.
  const bound = new Set(
    chosen.map((stack) => stack.environment).filter((environment) => !environment.includes('unknown-')),
  );
  if (bound.size > 1) {
    throw new PayloadValidationError(where, [
      `the stacks to deploy are bound to different environments (${chosen
        .filter((stack) => !stack.environment.includes('unknown-'))
        .map((stack) => `${stack.artifactId} "${stack.stackName}": ${stack.environment}`)
        .join(
          '; ',
        )}); one Deploy state machine deploys to one account and region: pick the stacks of one with "stacks"`,
    ]);
  }
  const seen = new Map<string, string>();
  for (const stack of chosen) {
    const other = seen.get(stack.stackName);
    if (other !== undefined) {
      throw new PayloadValidationError(where, [
        `stacks ${other} and ${stack.artifactId} are both named "${stack.stackName}": one stack cannot be deployed from two templates`,
      ]);
    }
    seen.set(stack.stackName, stack.artifactId);
  }
  if (chosen.length > MAX_ASSEMBLY_STACKS) {
    throw new PayloadValidationError(where, [
      `the deployment would have ${chosen.length} stacks; one job deploys at most ${MAX_ASSEMBLY_STACKS} (pick some with "stacks")`,
    ]);
  }
  return dependencyOrder(chosen, where);
}

/** Kahn's algorithm, stable in the manifest's order; a cycle is an error naming its stacks. */
function dependencyOrder(stacks: readonly AssemblyStack[], where: string): AssemblyStack[] {
  const ids = new Set(stacks.map((stack) => stack.artifactId));
  const done = new Set<string>();
  const ordered: AssemblyStack[] = [];
  while (ordered.length < stacks.length) {
    const next = stacks.find(
      (stack) =>
        !done.has(stack.artifactId) &&
        stack.dependsOn.every((dependency) => !ids.has(dependency) || done.has(dependency)),
    );
    if (next === undefined) {
      const left = stacks.filter((stack) => !done.has(stack.artifactId)).map((stack) => stack.artifactId);
      throw new PayloadValidationError(where, [
        `the stacks ${left.join(', ')} depend on each other in a cycle`,
      ]);
    }
    done.add(next.artifactId);
    ordered.push(next);
  }
  return ordered;
}

/** The names of the parameters a template declares (JSON, as CDK writes it; YAML is not read here). */
export function declaredParameters(templateText: string, templatePath: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(templateText);
  } catch (error) {
    throw new PayloadValidationError(`${templatePath} in the source artifact`, [
      `a template of a cloud assembly must be JSON: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  const parameters = isRecord(value) ? value.Parameters : undefined;
  return isRecord(parameters) ? Object.keys(parameters) : [];
}
