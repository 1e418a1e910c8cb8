import { createHash } from 'node:crypto';
import type { Capability, Parameter, Tag } from '@aws-sdk/client-cloudformation';
import { type ExecutionInput, toNameCharacters } from '@cfn-safe-deploy/state-payloads';
import { readConfig } from './config.js';

export interface StackRequestFields {
  readonly Parameters: Parameter[];
  readonly Capabilities: Capability[];
  readonly Tags: Tag[];
  readonly RoleARN?: string;
}

/**
 * The request fields CreateStack and CreateChangeSet share: parameters, capabilities, the input's
 * tags and the execution role (CFN_EXECUTION_ROLE_ARN) when one is set. No tag varies per
 * deployment: stack tags propagate to resources, so a changing tag would make every change set
 * modify every taggable resource and no deployment could ever be a no-op.
 */
export function stackRequestFields(
  input: ExecutionInput,
  config: { readonly executionRoleArn?: string } = readConfig(),
): StackRequestFields {
  const tags = input.tags ?? {};
  return {
    Parameters: Object.entries(input.parameters ?? {}).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
    Capabilities: [...(input.capabilities ?? [])],
    Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    ...(config.executionRoleArn !== undefined ? { RoleARN: config.executionRoleArn } : {}),
  };
}

const TOKEN_MAX = 128;

/**
 * A ClientRequestToken for `operation` in one deployment: the same for every retry of it (so a
 * retried Lambda is idempotent), different across deployments and operations. Matches
 * `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128 characters.
 */
export function clientRequestToken(deploymentId: string, operation: string): string {
  const hash = createHash('sha256').update(`${operation}\n${deploymentId}`).digest('hex').slice(0, 12);
  const readable = toNameCharacters(`${operation}-${deploymentId}`)
    .slice(0, TOKEN_MAX - hash.length - 1)
    .replace(/-+$/, '');
  return readable === '' ? hash : `${readable}-${hash}`;
}
