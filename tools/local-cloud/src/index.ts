export {
  BOOTSTRAP_ASSET_BUCKET,
  BOOTSTRAP_QUALIFIER,
  BOOTSTRAP_VERSION,
  BOOTSTRAP_VERSION_PARAMETER,
  bootstrapAccount,
} from './bootstrap.js';
export {
  type CloudFormationFront,
  type CloudFormationFrontOptions,
  startCloudFormationFront,
} from './cloudformation-front.js';
export { CodePipelineApiError, type JobResult, LocalJobs } from './codepipeline.js';
export * from './constants.js';
export { type EmulatedDefinition, loadDefinition } from './definition.js';
export {
  DEMO_SCENARIOS,
  DEMO_STACKS,
  type DemoResult,
  type DemoScenario,
  runDemo,
  synthesizeSampleApp,
} from './demo.js';
export {
  type EmulatorRecord,
  type EmulatorStatus,
  emulatorStatus,
  findMotoPython,
  startEmulator,
  stateDirectory,
  stopEmulator,
} from './emulator.js';
export { EnvironmentError, UsageError } from './errors.js';
export { FAULTABLE_FUNCTIONS, type Faults, FaultsSchema, parseFaults, readFaultsFile } from './faults.js';
export type { LocalServer } from './http.js';
export { startJsonEndpoint } from './json-endpoint.js';
export { LambdaFunctionError, LocalLambda } from './lambda.js';
export { maskSecretsInText, redact } from './masking.js';
export { renderReport } from './report.js';
export {
  type AttemptedStack,
  machineOf,
  type NotAttemptedStack,
  parseSavedRun,
  RUN_FORMAT,
  readSavedRun,
  type SavedRun,
  SavedRunSchema,
  type StackRun,
  savedRunOf,
} from './run-file.js';
export {
  type DeployOptions,
  type DeployProgress,
  type DeployRecord,
  type DeploySummary,
  type InspectionView,
  LocalCloud,
  type LocalCloudOptions,
  type SimulatedTimeOptions,
} from './session.js';
export { SimulatedClock } from './simulated-clock.js';
export { type LocalExecution, LocalStepFunctions, StepFunctionsApiError } from './step-functions.js';
