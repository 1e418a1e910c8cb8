import { FindingSchema, VerdictSchema } from '@cfn-safe-deploy/changeset-policy';
import * as z from 'zod/mini';
import { ArnSchema, NameSchema } from './results.js';

/** Findings kept in the state are capped: Step Functions payloads are limited to 256 KB. */
export const MAX_FINDINGS_IN_STATE = 50;

/** The change-set policy's judgement ("Inspect Change Set Changes"). */
export const InspectionSchema = z.strictObject({
  changeSetArn: ArnSchema,
  verdict: VerdictSchema,
  /** The first MAX_FINDINGS_IN_STATE findings; `findingCount` has the total. */
  findings: z.array(FindingSchema),
  findingCount: z.number().check(z.int(), z.minimum(0)),
  allowed: z.array(FindingSchema),
  allowedCount: z.number().check(z.int(), z.minimum(0)),
  changeCount: z.number().check(z.int(), z.minimum(0)),
  /** Set when the change is unsafe and the input asks for blue/green: the stack to create instead. */
  blueGreenStackName: z.optional(NameSchema),
});
export type Inspection = z.infer<typeof InspectionSchema>;
