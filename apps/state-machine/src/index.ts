export { type CreateAppOptions, createApp, STACK_NAME } from './app.js';
export {
  type AslDefinition,
  type AslState,
  DefinitionError,
  type DeployDefinition,
  functionArn,
  functionNameOf,
  type SynthesizeOptions,
  synthesizeDeployDefinition,
} from './asl.js';
export { buildDeployDefinition } from './definition.js';
export {
  bundledFunctionCode,
  FUNCTION_ASSET_EXCLUDE,
  FUNCTION_NAMES,
  FUNCTION_SPECS,
  FunctionBundleError,
  type FunctionName,
  type FunctionSpec,
  functionDistFolder,
  functionOf,
  functionPackageName,
  placeholderFunctionCode,
} from './functions.js';
export {
  acknowledgeNagFindings,
  type NagAcknowledgement,
  nagAcknowledgements,
  unexplainedAcknowledgements,
} from './nag.js';
export {
  DEFAULT_ARTIFACT_BUCKET_NAMES,
  DEFAULT_BOOTSTRAP_QUALIFIER,
  DEFAULT_ENVIRONMENT_NAMES,
  DEFAULT_PARAMETER_NAME,
  defaultExecutionRoleStatements,
  STATE_MACHINE_TIMEOUT,
  StateMachineStack,
  type StateMachineStackProps,
  TEMPLATE_EXPIRY,
} from './stack.js';
export {
  DEPLOYMENT_FAILED_ERROR,
  DEPLOYMENT_REFUSED_ERROR,
  NOT_RETRIED_ERRORS,
  RETRYABLE_ERRORS,
  TASK_RETRY,
  TASK_STATES,
  type TaskStateName,
} from './workflow/states.js';
