export { ChangeSetInputError, ChangeSetReadError, PolicyError, TemplateError } from './errors.js';
export { evaluate } from './evaluate.js';
export { formatJson, formatText, type JsonReport, type TextOptions, toJsonReport } from './format.js';
export {
  type ChangeSetGraph,
  type ChangeSetGroup,
  groupChangeSets,
  type MissingNestedChangeSet,
  parseChangeSetPages,
} from './input.js';
export { DEFAULT_POLICY, parsePolicy } from './policy.js';
export { type ReadChangeSetOptions, readChangeSet } from './reader.js';
export { RESOURCE_RULES } from './rules/index.js';
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
