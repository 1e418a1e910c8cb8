import { createHash } from 'node:crypto';
import { PayloadValidationError } from './errors.js';

/** CloudFormation stack and change set names: a letter, then letters, digits and hyphens; at most 128. */
export const CLOUDFORMATION_NAME = /^[a-zA-Z][-a-zA-Z0-9]*$/;
export const CLOUDFORMATION_NAME_MAX = 128;
/** Step Functions execution names: at most 80 characters, none of whitespace, brackets, wildcards, punctuation or control characters. */
export const EXECUTION_NAME = /^[a-zA-Z0-9_-]+$/;
export const EXECUTION_NAME_MAX = 80;

function shortHash(value: string, length = 10): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * Keeps letters, digits and hyphens; collapses the rest into single hyphens and trims hyphens from
 * both ends (what a CloudFormation name or a ClientRequestToken may hold).
 */
export function toNameCharacters(value: string): string {
  return value
    .replace(/[^a-zA-Z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Shortens `base` so that `base-suffix` fits `max`, keeping the suffix (which carries the uniqueness). */
function fitWithSuffix(base: string, suffix: string, max: number): string {
  const room = max - suffix.length - 1;
  const trimmed = base.slice(0, Math.max(room, 1)).replace(/-+$/, '');
  return `${trimmed}-${suffix}`;
}

export function assertCloudFormationName(name: string, field: string): string {
  if (!CLOUDFORMATION_NAME.test(name) || name.length > CLOUDFORMATION_NAME_MAX) {
    throw new PayloadValidationError(field, [
      `${field}: "${name}" is not a valid CloudFormation name (expected a letter, then letters, digits or hyphens, at most ${CLOUDFORMATION_NAME_MAX} characters)`,
    ]);
  }
  return name;
}

/** The stack a deployment targets: `<environmentName>-<stackName>`, checked against CloudFormation's rules. */
export function stackNameFor(environmentName: string, stackName: string): string {
  return assertCloudFormationName(`${environmentName}-${stackName}`, 'environmentName-stackName');
}

/**
 * A change set name unique to one deployment (one pipeline job), so two pipelines or two runs never
 * collide: `<stackName>-<deploymentId>`, shortened with a hash when needed to fit 128 characters.
 */
export function changeSetNameFor(stackName: string, deploymentId: string): string {
  const readable = toNameCharacters(deploymentId);
  const candidate = `${stackName}-${readable}`;
  // The readable form is used alone only when it is the deployment id itself: two ids that
  // differ only in characters a name cannot hold must still give two names.
  const name =
    readable === deploymentId &&
    CLOUDFORMATION_NAME.test(candidate) &&
    candidate.length <= CLOUDFORMATION_NAME_MAX
      ? candidate
      : fitWithSuffix(
          `${stackName}-${readable.slice(0, 24)}`,
          shortHash(deploymentId),
          CLOUDFORMATION_NAME_MAX,
        );
  return assertCloudFormationName(name, 'changeSetName');
}

/** What every change set of cfn-safe-deploy has as its Description, followed by the deployment id. */
export const CHANGE_SET_DESCRIPTION_PREFIX = 'cfn-safe-deploy deployment ';

/** The Description of the change set of one deployment: how its own change set is told apart. */
export function changeSetDescriptionFor(deploymentId: string): string {
  return `${CHANGE_SET_DESCRIPTION_PREFIX}${deploymentId}`;
}

/**
 * The stack a blue/green deployment creates instead of replacing resources in place:
 * `<stackName>-bg-<hash of the deployment id>`, the same for every retry of one pipeline job.
 */
export function blueGreenStackNameFor(stackName: string, deploymentId: string): string {
  const suffix = `bg-${shortHash(deploymentId, 8)}`;
  return assertCloudFormationName(
    fitWithSuffix(stackName, suffix, CLOUDFORMATION_NAME_MAX),
    'blueGreenStackName',
  );
}

/**
 * The ARN of the execution named `name` of the Standard state machine `stateMachineArn`: what
 * StartExecution returns for that name, so it can be found again without listing executions.
 */
export function executionArnFor(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/**
 * The Step Functions execution name for a CodePipeline job: the same job always maps to the same
 * name, so a repeated invocation finds the execution instead of starting a second one.
 */
export function executionNameFor(jobId: string, stackIndex?: number): string {
  if (jobId.length === 0) {
    throw new PayloadValidationError('jobId', ['jobId: must not be empty (got "")']);
  }
  const readable = jobId.replace(/[^a-zA-Z0-9_-]+/g, '-');
  const candidate = `job-${readable}`;
  const base =
    readable === jobId && candidate.length <= EXECUTION_NAME_MAX - 8
      ? candidate
      : fitWithSuffix(`job-${readable.slice(0, 40)}`, shortHash(jobId, 16), EXECUTION_NAME_MAX - 8);
  if (stackIndex === undefined) {
    // One template: the name the job always had (kept for executions started before assemblies).
    if (readable === jobId && candidate.length <= EXECUTION_NAME_MAX) return candidate;
    return fitWithSuffix(`job-${readable.slice(0, 48)}`, shortHash(jobId, 16), EXECUTION_NAME_MAX);
  }
  if (!Number.isInteger(stackIndex) || stackIndex < 0 || stackIndex > 9_999) {
    throw new PayloadValidationError('stackIndex', [
      `stackIndex: must be a whole number from 0 to 9999 (got ${stackIndex})`,
    ]);
  }
  // A cloud assembly: one execution per stack, `<job name>-s<n>` (n from 1).
  return `${base}-s${stackIndex + 1}`;
}
