// The results of the tasks, but the inspection's (which carries the policy's findings), one module
// each so that a Lambda bundle builds only the schemas it uses when it starts.

export { type BlueGreen, BlueGreenSchema } from './result-blue-green.js';
export { type CaughtError, CaughtErrorSchema } from './result-caught-error.js';
export { type ChangeSetDeletion, ChangeSetDeletionSchema } from './result-change-set-deletion.js';
export { type ChangeSetState, ChangeSetStateSchema } from './result-change-set-state.js';
export { type StackCheck, StackCheckSchema } from './result-stack-check.js';
export { type StackOperation, StackOperationSchema } from './result-stack-operation.js';
export {
  InlineTemplateSchema,
  MAX_TEMPLATE_BODY_BYTES,
  MAX_TEMPLATE_BODY_STATE_BYTES,
  MAX_TEMPLATE_BYTES,
  StagedTemplateSchema,
  type TemplateSource,
  TemplateSourceSchema,
} from './result-template.js';
export { ArnSchema, DeploymentIdSchema, NameSchema, TimestampSchema } from './schemas-common.js';
