import * as z from 'zod/mini';
import { ExecutionInputSchema } from './input.js';
import { InspectionSchema } from './inspection.js';
import {
  BlueGreenSchema,
  CaughtErrorSchema,
  ChangeSetDeletionSchema,
  ChangeSetStateSchema,
  DeploymentIdSchema,
  StackCheckSchema,
  StackOperationSchema,
  TemplateSourceSchema,
} from './results.js';
import { checkStackExistenceTask } from './tasks/check-stack-existence.js';
import { createChangeSetTask } from './tasks/create-change-set.js';
import { createStackTask } from './tasks/create-stack.js';
import { deleteChangeSetTask } from './tasks/delete-change-set.js';
import { deleteStackTask } from './tasks/delete-stack.js';
import { executeChangeSetTask } from './tasks/execute-change-set.js';
import { getChangeSetStatusTask } from './tasks/get-change-set-status.js';
import { getStackStatusTask } from './tasks/get-stack-status.js';
import { inspectChangeSetTask } from './tasks/inspect-change-set.js';
import { loadTemplateTask } from './tasks/load-template.js';
import { AssetsPublishedSchema, publishAssetsTask } from './tasks/publish-assets.js';

/**
 * The state every Task receives: the execution input under `input`, the deployment id (the
 * execution name, unique per pipeline job) and the results of the tasks so far, each under its key.
 */
export const DeployStateSchema = z.object({
  input: ExecutionInputSchema,
  deploymentId: DeploymentIdSchema,
  assets: z.optional(AssetsPublishedSchema),
  template: z.optional(TemplateSourceSchema),
  stack: z.optional(StackCheckSchema),
  changeSet: z.optional(ChangeSetStateSchema),
  inspection: z.optional(InspectionSchema),
  changeSetDeletion: z.optional(ChangeSetDeletionSchema),
  blueGreen: z.optional(BlueGreenSchema),
  operation: z.optional(StackOperationSchema),
  error: z.optional(CaughtErrorSchema),
});
export type DeployState = z.infer<typeof DeployStateSchema>;

/** The keys of the deploy state a task may write its result under (not the input, not the id). */
export type ResultKey = Exclude<keyof DeployState, 'input' | 'deploymentId'>;

/**
 * What one task declares, in its own module (`src/tasks/<function>.ts`): its name, the package
 * `packages/functions/<functionName>` that implements it, the key of the deploy state its result
 * goes under, the part of the state it reads and the result it returns. The union over every key
 * makes a result that does not fit where it is stored a compile error.
 */
export type TaskDeclaration = {
  readonly [K in ResultKey]: {
    readonly name: string;
    readonly functionName: string;
    readonly resultKey: K;
    readonly input: z.ZodMiniType;
    readonly result: z.ZodMiniType<NonNullable<DeployState[K]>>;
  };
}[ResultKey];

/** Every task, once: the registry the tables below, the state machine and its functions derive from. */
const TASK_LIST = [
  publishAssetsTask,
  loadTemplateTask,
  checkStackExistenceTask,
  createStackTask,
  deleteStackTask,
  getStackStatusTask,
  createChangeSetTask,
  getChangeSetStatusTask,
  inspectChangeSetTask,
  executeChangeSetTask,
  deleteChangeSetTask,
] as const satisfies readonly TaskDeclaration[];

type TaskList = typeof TASK_LIST;

/**
 * Every task's declaration, by name. Each task's Lambda imports its own declaration (`…Task` from
 * this package), not this table, so that it builds only those schemas when it starts.
 */
export const Tasks = Object.fromEntries(TASK_LIST.map((task) => [task.name, task])) as {
  readonly [D in TaskList[number] as D['name']]: D;
};
export type TaskName = keyof typeof Tasks;
/** A task's declaration: its name, function, result key and the schemas of its input and result. */
export type TaskPayloads<T extends TaskName> = (typeof Tasks)[T];
/** The part of the deploy state a task reads (`Tasks[task].input`). */
export type TaskInput<T extends TaskName> = z.infer<TaskPayloads<T>['input']>;
/** What a task returns (`Tasks[task].result`), stored by the state machine under `ResultKeys[task]`. */
export type TaskResult<T extends TaskName> = z.infer<TaskPayloads<T>['result']>;

/** The task names, in the order of the registry. */
export const TASK_NAMES = TASK_LIST.map((task) => task.name) as readonly TaskName[];

/** Where in the deploy state each task's result goes (the Task state's ResultPath, without `$.`). */
export const ResultKeys = Object.fromEntries(TASK_LIST.map((task) => [task.name, task.resultKey])) as {
  readonly [T in TaskName]: TaskPayloads<T>['resultKey'];
};
