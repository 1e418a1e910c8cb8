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

/**
 * The state every Task receives: the execution input under `input`, the deployment id (the
 * execution name, unique per pipeline job) and the results of the tasks so far, each under its key.
 */
export const DeployStateSchema = z.object({
  input: ExecutionInputSchema,
  deploymentId: DeploymentIdSchema,
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

/**
 * Every task's payloads: the part of the deploy state it reads (the results it depends on made
 * required) and the result it returns. Each task's Lambda imports its own entry (`…Task` from this
 * package), so that it builds only those schemas when it starts.
 */
export const Tasks = {
  loadTemplate: loadTemplateTask,
  checkStackExistence: checkStackExistenceTask,
  createStack: createStackTask,
  deleteStack: deleteStackTask,
  getStackStatus: getStackStatusTask,
  createChangeSet: createChangeSetTask,
  getChangeSetStatus: getChangeSetStatusTask,
  inspectChangeSet: inspectChangeSetTask,
  executeChangeSet: executeChangeSetTask,
  deleteChangeSet: deleteChangeSetTask,
} as const;
export type TaskName = keyof typeof Tasks;
/** A task's name with the schemas of its input and result. */
export type TaskPayloads<T extends TaskName> = (typeof Tasks)[T];

/** The input each Task reads. */
export const TaskInputSchemas = {
  loadTemplate: loadTemplateTask.input,
  checkStackExistence: checkStackExistenceTask.input,
  createStack: createStackTask.input,
  deleteStack: deleteStackTask.input,
  getStackStatus: getStackStatusTask.input,
  createChangeSet: createChangeSetTask.input,
  getChangeSetStatus: getChangeSetStatusTask.input,
  inspectChangeSet: inspectChangeSetTask.input,
  executeChangeSet: executeChangeSetTask.input,
  deleteChangeSet: deleteChangeSetTask.input,
} as const;
export type TaskInput<T extends TaskName> = z.infer<(typeof TaskInputSchemas)[T]>;

/** The result each Task returns, written by the state machine under `ResultKeys[task]`. */
export const TaskResultSchemas = {
  loadTemplate: loadTemplateTask.result,
  checkStackExistence: checkStackExistenceTask.result,
  createStack: createStackTask.result,
  deleteStack: deleteStackTask.result,
  getStackStatus: getStackStatusTask.result,
  createChangeSet: createChangeSetTask.result,
  getChangeSetStatus: getChangeSetStatusTask.result,
  inspectChangeSet: inspectChangeSetTask.result,
  executeChangeSet: executeChangeSetTask.result,
  deleteChangeSet: deleteChangeSetTask.result,
} as const;
export type TaskResult<T extends TaskName> = z.infer<(typeof TaskResultSchemas)[T]>;

/** Where in the deploy state each task's result goes (the Task state's ResultPath, without `$.`). */
export const ResultKeys = {
  loadTemplate: 'template',
  checkStackExistence: 'stack',
  createStack: 'operation',
  deleteStack: 'operation',
  getStackStatus: 'operation',
  createChangeSet: 'changeSet',
  getChangeSetStatus: 'changeSet',
  inspectChangeSet: 'inspection',
  executeChangeSet: 'operation',
  deleteChangeSet: 'changeSetDeletion',
} as const satisfies Record<TaskName, keyof DeployState>;
