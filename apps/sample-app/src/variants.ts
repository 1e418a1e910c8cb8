/**
 * The revisions of the sample app, one per step of the demo's life cycle (see README.md):
 * - `base`: the first version — both stacks are created;
 * - `code-change`: the function's next build (a new file asset hash) and a new resource, the
 *   function's own log group — the service stack is updated, the data stack has no change;
 * - `table-key-change`: `code-change` with the table's partition key renamed — CloudFormation must
 *   replace the table, so the data stack's change is refused (and the service stack not attempted);
 * - `metadata-only`: `code-change` with a new version of the app's naming check (a policy
 *   validation plugin) — only `AWS::CDK::Metadata` (its Analytics) changes, in both stacks.
 * Deploying `code-change` again after `table-key-change` is the "same version again" step.
 */
export const VARIANTS = ['base', 'code-change', 'table-key-change', 'metadata-only'] as const;
export type Variant = (typeof VARIANTS)[number];

export function isVariant(value: unknown): value is Variant {
  return typeof value === 'string' && (VARIANTS as readonly string[]).includes(value);
}

/**
 * The demo's life cycle, in order: create both stacks; a code change with a new resource (executed);
 * a table key change (refused, the service stack not attempted); the same version again (nothing
 * to do); a change of CDKMetadata alone (never a finding). README.md lists each step's outcome.
 */
export const LIFE_CYCLE: readonly Variant[] = [
  'base',
  'code-change',
  'table-key-change',
  'code-change',
  'metadata-only',
];

/** The variant of a stack's props (default `base`), checked: a stack built from plain JS gets a clear error. */
export function checkedVariant(variant: unknown): Variant {
  const value = variant ?? 'base';
  if (!isVariant(value)) {
    throw new Error(`variant is ${JSON.stringify(value)}; expected one of ${VARIANTS.join(', ')}`);
  }
  return value;
}

/** Which build of @cfn-safe-deploy/sample-function is the function's code (see its README). */
export type FunctionBuild = 'dist' | 'dist-next';

/** What differs between the variants: everything else of both templates stays the same. */
export interface VariantSettings {
  /** The folder of the function package whose files are the function's file asset. */
  readonly functionBuild: FunctionBuild;
  /** The new resource of `code-change`: a log group of the function's own, with a retention. */
  readonly ownLogGroup: boolean;
  /** The table's partition key (a string attribute). */
  readonly partitionKey: string;
  /** The version of the app's naming check (a validation plugin), which CDK reports in CDKMetadata only. */
  readonly namingCheckVersion: string;
}

const CODE_CHANGE: VariantSettings = {
  functionBuild: 'dist-next',
  ownLogGroup: true,
  partitionKey: 'id',
  namingCheckVersion: '1.0.0',
};

export const VARIANT_SETTINGS: Readonly<Record<Variant, VariantSettings>> = {
  base: { functionBuild: 'dist', ownLogGroup: false, partitionKey: 'id', namingCheckVersion: '1.0.0' },
  'code-change': CODE_CHANGE,
  'table-key-change': { ...CODE_CHANGE, partitionKey: 'pk' },
  'metadata-only': { ...CODE_CHANGE, namingCheckVersion: '1.1.0' },
};
