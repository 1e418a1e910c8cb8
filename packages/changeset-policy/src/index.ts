export { ChangeSetInputError, ChangeSetReadError, PolicyError, TemplateError } from './errors.js';
export { evaluate } from './evaluate.js';
export {
  formatJson,
  formatText,
  type JsonReport,
  type TextOptions,
  terminalSafe,
  toJsonReport,
} from './format.js';
export { isRecord } from './guards.js';
export {
  type ChangeSetGraph,
  type ChangeSetGroup,
  groupChangeSets,
  type MissingNestedChangeSet,
  parseChangeSetPages,
} from './input.js';
export { describeIssue, describeValue, formatPath } from './issues.js';
export { findDuplicateKey } from './json.js';
export { DEFAULT_POLICY, parsePolicy } from './policy.js';
export {
  MAX_CALLS_PER_TREE,
  MAX_PAGES_PER_CHANGE_SET,
  type ReadChangeSetOptions,
  readChangeSet,
} from './reader.js';
export { isNoChangesReason, RESOURCE_RULES } from './rules/index.js';
export type { FindingKind, ResourceRule, RuleResult } from './rules/types.js';
export {
  type AllowableAction,
  AllowableActionSchema,
  type AllowRule,
  AllowRuleSchema,
  type Change,
  ChangeSchema,
  type ChangeSetPage,
  ChangeSetPageSchema,
  type Evaluation,
  EvaluationSchema,
  type Finding,
  FindingSchema,
  type Policy,
  type PolicyInput,
  PolicySchema,
  type ResourceChange,
  type ResourceChangeDetail,
  ResourceChangeSchema,
  SAFE,
  UNSAFE,
  type Verdict,
  VerdictSchema,
} from './schemas.js';
export {
  changesFromTemplates,
  diffTemplates,
  parseTemplate,
  TEMPLATE_DIFF_CHANGE_SET_ID,
  type Template,
  type TemplateChange,
} from './template.js';
