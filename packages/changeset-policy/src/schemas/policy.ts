import * as z from 'zod/mini';
import './zod-config.js';

// ---------------------------------------------------------------------------------------------
// Policy (version 1). Strict: an unknown key is an error, so a typo never silently weakens it.
// ---------------------------------------------------------------------------------------------

/** What a policy `allow` rule can make safe. */
export const AllowableActionSchema = z.enum(['Remove', 'Replace', 'ConditionalReplace', 'Dynamic']);
export type AllowableAction = z.infer<typeof AllowableActionSchema>;

export const AllowRuleSchema = z.strictObject({
  /** picomatch glob matched against `ResourceType`, e.g. `AWS::Logs::*`. @default - any type */
  resourceType: z.optional(z.string().check(z.minLength(1))),
  /** picomatch glob matched against `LogicalResourceId`, e.g. `Temp*`. @default - any logical id */
  logicalResourceId: z.optional(z.string().check(z.minLength(1))),
  /** The kinds of destructive change this rule makes safe. */
  actions: z.array(AllowableActionSchema).check(z.minLength(1)),
});
export type AllowRule = z.infer<typeof AllowRuleSchema>;

export const PolicySchema = z.strictObject({
  version: z.literal(1),
  /** @default [] */
  allow: z._default(z.array(AllowRuleSchema), []),
  /** A `Remove` whose `PolicyAction` is `Retain` is safe. @default false */
  allowRetainedRemovals: z._default(z.boolean(), false),
  /** How `Replacement: "Conditional"` is judged. @default 'unsafe' */
  conditionalReplacement: z._default(z.enum(['unsafe', 'safe']), 'unsafe'),
});
/** A parsed policy (defaults applied). */
export type Policy = z.infer<typeof PolicySchema>;
/** A policy as written in a file (defaults not yet applied). */
export type PolicyInput = z.input<typeof PolicySchema>;
