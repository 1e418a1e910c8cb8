export { type CreateAppOptions, createApp, FEATURE_FLAGS, STACK_NAME } from './app.js';
export { acknowledgeNagFindings } from './nag.js';
export {
  type ContextReader,
  DEFAULT_REPOSITORY_NAME,
  DEFAULT_SOURCE,
  type PipelineSource,
  SOURCE_KINDS,
  SourceContextError,
  sourceFromContext,
} from './source.js';
export {
  BUILD_ENVIRONMENT,
  BUILD_SPEC_FILE,
  DEFAULT_INPUT_FILE,
  type DeploymentInputFile,
  INPUT_FILE_KEY,
  PipelineStack,
  type PipelineStackProps,
  SAMPLE_APP_OUTPUT,
} from './stack.js';
export {
  bundledTriggerCode,
  TRIGGER_PACKAGE,
  TriggerBundleError,
  triggerDistFolder,
} from './trigger-code.js';
