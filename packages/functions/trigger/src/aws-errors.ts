import { classifyAwsError } from '@cfn-safe-deploy/deploy-shared';
import { errorNameOf } from '@cfn-safe-deploy/state-payloads';

/** True for an AWS error named `name` (e.g. "ExecutionAlreadyExists"). */
export function isAwsError(error: unknown, name: string): boolean {
  return errorNameOf(error) === name;
}

/** True for throttling, 5xx and network errors: trying again later may work. */
export function isTransient(error: unknown): boolean {
  const kind = classifyAwsError(error);
  return kind === 'throttling' || kind === 'transient';
}

/**
 * "Name: message", plus a hint when the error is transient or a permission problem; `principal`
 * names who lacked the permission (the function role, or the job's artifact credentials).
 */
export function describeAwsError(error: unknown, principal = 'the Trigger function role'): string {
  const name = errorNameOf(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const kind = classifyAwsError(error);
  const hint =
    kind === 'throttling' || kind === 'transient'
      ? ' (a transient error: retrying the pipeline stage may work)'
      : kind === 'access-denied'
        ? ` (a permission problem: check what ${principal} may do)`
        : '';
  return `${name}: ${message}${hint}`;
}
