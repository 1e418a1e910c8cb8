import * as z from 'zod/mini';
import './zod-config.js';

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

export const SAFE = 'CAN-SAFELY-UPDATE-EXISTING-STACK';
export const UNSAFE = 'RESOURCES-BEING-DELETED-OR-REPLACED';

export const VerdictSchema = z.enum([SAFE, UNSAFE]);
export type Verdict = z.infer<typeof VerdictSchema>;

export const FindingSchema = z.object({
  /** Logical ids of the nested stacks from the root stack; `[]` for the root stack's own resources. */
  stackPath: z.array(z.string()),
  logicalResourceId: z.string(),
  resourceType: z.string(),
  action: z.string(),
  replacement: z.nullable(z.string()),
  policyAction: z.nullable(z.string()),
  /** A sentence a person understands. */
  reason: z.string(),
  /** Id of the rule that produced the finding (see src/rules). */
  rule: z.string(),
  /** On allowed findings only: which part of the policy made the change safe. */
  allowedBy: z.optional(z.string()),
});
export type Finding = z.infer<typeof FindingSchema>;

export const EvaluationSchema = z.object({
  verdict: VerdictSchema,
  /** What makes the change set unsafe. Empty exactly when the verdict is safe. */
  findings: z.array(FindingSchema),
  /** Destructive changes that the policy made safe, each with `allowedBy`. */
  allowed: z.array(FindingSchema),
  /** Remarks that do not change the verdict (e.g. a change set in status FAILED). */
  notes: z._default(z.array(z.string()), []),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;
