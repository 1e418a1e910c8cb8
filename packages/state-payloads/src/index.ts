export {
  type AssemblyInputFile,
  AssemblyInputFileSchema,
  type AssemblyStack,
  type DeployTarget,
  declaredParameters,
  MAX_ASSEMBLY_STACKS,
  namesCloudAssembly,
  parseAssemblyInputFile,
  planAssembly,
} from './assembly.js';
export { describeIssues, PayloadValidationError, parseJsonText, parseWith } from './errors.js';
export { errorNameOf, isRecord, recordOf } from './guards.js';
export {
  CAPABILITIES,
  type ExecutionInput,
  type ExecutionInputDraft,
  ExecutionInputSchema,
  type InputFile,
  InputFileSchema,
  ON_UNSAFE_CHANGE,
  parseExecutionInput,
  parseInputFile,
  type UserParameters,
  UserParametersSchema,
} from './input.js';
export {
  type DeploymentInput,
  DeploymentInputSchema,
} from './input-fields.js';
export { type Inspection, InspectionSchema, MAX_FINDINGS_IN_STATE } from './inspection.js';
export {
  assertCloudFormationName,
  blueGreenStackNameFor,
  CHANGE_SET_DESCRIPTION_PREFIX,
  CLOUDFORMATION_NAME,
  CLOUDFORMATION_NAME_MAX,
  changeSetDescriptionFor,
  changeSetNameFor,
  EXECUTION_NAME,
  EXECUTION_NAME_MAX,
  executionArnFor,
  executionNameFor,
  stackNameFor,
  toNameCharacters,
} from './names.js';
export {
  causeMessage,
  describeFinding,
  describeOutcome,
  MAX_PIPELINE_MESSAGE,
  type Outcome,
  OutcomeSchema,
} from './outcome.js';
export { type Poll, PollSchema } from './poll.js';
export {
  type BlueGreen,
  BlueGreenSchema,
  type CaughtError,
  CaughtErrorSchema,
  type ChangeSetDeletion,
  ChangeSetDeletionSchema,
  type ChangeSetState,
  ChangeSetStateSchema,
  InlineTemplateSchema,
  MAX_TEMPLATE_BODY_BYTES,
  MAX_TEMPLATE_BODY_STATE_BYTES,
  MAX_TEMPLATE_BYTES,
  type StackCheck,
  StackCheckSchema,
  type StackOperation,
  StackOperationSchema,
  StagedTemplateSchema,
  type TemplateSource,
  TemplateSourceSchema,
} from './results.js';
export {
  type DeployState,
  DeployStateSchema,
  type ResultKey,
  ResultKeys,
  TASK_NAMES,
  type TaskDeclaration,
  type TaskInput,
  type TaskName,
  type TaskPayloads,
  type TaskResult,
  Tasks,
} from './state.js';
export { checkStackExistenceTask } from './tasks/check-stack-existence.js';
export { createChangeSetTask } from './tasks/create-change-set.js';
export { createStackTask } from './tasks/create-stack.js';
export { deleteChangeSetTask } from './tasks/delete-change-set.js';
export { deleteStackTask } from './tasks/delete-stack.js';
export { executeChangeSetTask } from './tasks/execute-change-set.js';
export { getChangeSetStatusTask } from './tasks/get-change-set-status.js';
export { getStackStatusTask } from './tasks/get-stack-status.js';
export { inspectChangeSetTask } from './tasks/inspect-change-set.js';
export { loadTemplateTask } from './tasks/load-template.js';
export {
  type AssetsPublished,
  AssetsPublishedSchema,
  type PublishAssetsInput,
  type PublishedAsset,
  PublishedAssetSchema,
  publishAssetsTask,
} from './tasks/publish-assets.js';
export {
  type ContinuationToken,
  ContinuationTokenSchema,
  decodeContinuationToken,
  encodeContinuationToken,
  MAX_CONTINUATION_TOKEN,
} from './token.js';
