// The schemas, one module per concern (DescribeChangeSet input, policy, output) so that a bundle
// that needs only the policy does not build the others.

export {
  type Change,
  ChangeSchema,
  type ChangeSetPage,
  ChangeSetPageSchema,
  type ResourceChange,
  type ResourceChangeDetail,
  ResourceChangeDetailSchema,
  ResourceChangeSchema,
  type ResourceTargetDefinition,
  ResourceTargetDefinitionSchema,
} from './schemas/change-set.js';
export {
  type Evaluation,
  EvaluationSchema,
  type Finding,
  FindingSchema,
  SAFE,
  UNSAFE,
  type Verdict,
  VerdictSchema,
} from './schemas/output.js';
export {
  type AllowableAction,
  AllowableActionSchema,
  type AllowRule,
  AllowRuleSchema,
  type Policy,
  type PolicyInput,
  PolicySchema,
} from './schemas/policy.js';
