import { knownAction } from './known-action.js';
import { knownReplacement } from './known-replacement.js';
import { nestedChangesVisible } from './nested-changes-visible.js';
import { noConditionalReplacement } from './no-conditional-replacement.js';
import { noDynamic } from './no-dynamic.js';
import { noRemoval } from './no-removal.js';
import { noReplacement } from './no-replacement.js';
import type { ResourceRule } from './types.js';

export { ACYCLIC_NESTING, acyclicNesting } from './acyclic-nesting.js';
export { CHANGE_SET_COMPLETE, changeSetComplete, isNoChangesReason } from './change-set-status.js';
export { COMPLETE_PAGES, completePages, isLastPage } from './complete-pages.js';
export { NESTED_CHANGE_SET_GIVEN, nestedChangeSetGiven } from './nested-change-set-given.js';
export { RESOURCE_CHANGE_PRESENT, resourceChangePresent } from './resource-change-present.js';
export { SINGLE_PARENT, singleParent } from './single-parent.js';
export type { FindingKind, ResourceRule, RuleResult } from './types.js';
export {
  knownAction,
  knownReplacement,
  nestedChangesVisible,
  noConditionalReplacement,
  noDynamic,
  noRemoval,
  noReplacement,
};

/** Every check of a single `ResourceChange`, in the order findings are reported. */
export const RESOURCE_RULES: readonly ResourceRule[] = [
  knownAction,
  knownReplacement,
  noRemoval,
  noReplacement,
  noConditionalReplacement,
  noDynamic,
  nestedChangesVisible,
];
