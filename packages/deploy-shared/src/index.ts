export {
  type ArchiveLimits,
  type ArtifactExtractLimits,
  type ArtifactFile,
  type ArtifactFileLimits,
  type ArtifactFileLocation,
  type ArtifactLocation,
  type ArtifactPathsLocation,
  DEFAULT_MAX_ARCHIVE_BYTES,
  DEFAULT_MAX_EXTRACTED_BYTES,
  DEFAULT_MAX_FILE_BYTES,
  type ExtractedPaths,
  extractArtifactPaths,
  readArtifactFile,
} from './artifact.js';
export {
  type ChangeSetClassification,
  type ChangeSetNext,
  classifyChangeSet,
  isChangeSetNotFoundError,
  isNoChangesReason,
} from './change-set-status.js';
export {
  cloudFormationClient,
  createCloudFormationClient,
  createS3Client,
  type S3ClientOptions,
  type StaticCredentials,
  s3Client,
} from './clients.js';
export { type DeployConfig, readConfig } from './config.js';
export {
  ArtifactError,
  type AwsErrorClass,
  CloudFormationError,
  classifyAwsError,
  InvalidInputError,
  isNoUpdatesError,
  isStackMissingError,
  isTemplateError,
  RetryableError,
  SafetyRefusedError,
  type TaskErrorContext,
  toTaskError,
} from './errors.js';
export { logger } from './logger.js';
export { type PagedCall, pages } from './pages.js';
export { firstPoll, nextPoll, POLL_SCHEDULES, type PollSchedule } from './poll.js';
export { firstFailureReason } from './stack-events.js';
export {
  clientRequestToken,
  type StackRequestFields,
  stackRequestFields,
} from './stack-request.js';
export {
  classifyExistingStack,
  type ExistingStackDecision,
  type OperationKind,
  type OperationProgress,
  operationProgress,
} from './stack-status.js';
export { defineTask, type TaskContext, type TaskHandler } from './task.js';
export { type TemplateRequestFields, templateRequestFields } from './template-request.js';
export { stageTemplate } from './template-source.js';
