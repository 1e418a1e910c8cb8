import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * What moto cannot show of CloudFormation: operations that take time and resources that fail.
 * moto applies every operation at once and never rolls back; the front forwards each operation to
 * moto at once and records here the timeline AWS would show instead: the stack's events (one per
 * resource and step), and from them the stack's status at any moment, and each change set's
 * Status / ExecutionStatus. The front answers DescribeStacks, DescribeStackEvents,
 * DescribeChangeSet and ListChangeSets from this overlay, and refuses what AWS refuses while an
 * operation runs. The clock is injected, so tests can move time by hand.
 */

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The default duration of a stack operation or change-set creation (the faults file's `operationMs`). */
export const DEFAULT_OPERATION_MS = 200;

const EventSchema = z.object({
  eventId: z.string(),
  stackId: z.string(),
  stackName: z.string(),
  logicalResourceId: z.string(),
  physicalResourceId: z.string(),
  resourceType: z.string(),
  resourceStatus: z.string(),
  reason: z.string().optional(),
  timestamp: z.number(),
  clientRequestToken: z.string().optional(),
});
export type StackEventRecord = z.infer<typeof EventSchema>;

const ChangeSetSchema = z.object({
  changeSetId: z.string(),
  stackId: z.string(),
  createdAt: z.number(),
  readyAt: z.number(),
  /** Set when the change set ends FAILED for a reason of its own (not "no changes"): its StatusReason. */
  failure: z.string().optional(),
  execution: z.object({ endsAt: z.number(), failed: z.boolean() }).optional(),
});
type ChangeSetTimeline = z.infer<typeof ChangeSetSchema>;

const SnapshotSchema = z.object({
  stacks: z.record(z.string(), z.array(EventSchema)),
  changeSets: z.record(z.string(), ChangeSetSchema),
});
export type OverlaySnapshot = z.infer<typeof SnapshotSchema>;

/** Where the overlay is kept between processes (each `deploy` runs its own front against one moto). */
export interface OverlayStore {
  load(): OverlaySnapshot | undefined;
  save(snapshot: OverlaySnapshot): void;
}

/** The overlay kept in a JSON file (the emulator's state directory); a missing file is an empty overlay. */
export function fileStore(path: string): OverlayStore {
  return {
    load() {
      if (!existsSync(path)) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new Error(
          `${path} (the emulator's CloudFormation statuses) is not JSON: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      const parsed = SnapshotSchema.safeParse(value);
      if (!parsed.success) {
        throw new Error(
          `${path} (the emulator's CloudFormation statuses) is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
        );
      }
      return parsed.data;
    },
    save(snapshot) {
      writeFileSync(path, JSON.stringify(snapshot));
    },
  };
}

/** A resource of a stack operation. */
export interface ResourceRef {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  /** What the operation does to it. @default the operation's kind (create → Add, update → Modify, delete → Remove) */
  readonly action?: 'Add' | 'Modify' | 'Remove';
}

export interface OperationPlan {
  readonly kind: 'create' | 'update' | 'delete';
  readonly stackId: string;
  readonly stackName: string;
  readonly resources: readonly ResourceRef[];
  readonly clientRequestToken?: string;
  /** A failed create ends deleted (CreateStack OnFailure DELETE, ExecuteChangeSet OnStackFailure DELETE). */
  readonly deleteOnFailure?: boolean;
  /**
   * An export of the stack that another stack imports would be removed (exports-in-use.ts): an
   * update rolls back with this reason; a delete is cancelled, the stack back at `statusBefore`.
   */
  readonly exportInUse?: { readonly reason: string; readonly statusBefore: string };
}

export interface OperationStarted {
  readonly endsAt: number;
  /** The resource that fails (failResources), if any: the operation rolls back. */
  readonly failed?: ResourceRef;
  /** The operation rolls back or is cancelled (a failed resource, or an export in use). */
  readonly rolledBack: boolean;
  /** The stack's status once the operation is over. */
  readonly finalStatus: string;
}

export interface StackOperationsOptions {
  /** @default DEFAULT_OPERATION_MS */
  readonly operationMs?: number;
  /** How long a change-set creation takes, when it differs from `operationMs`. @default operationMs */
  readonly changeSetMs?: number;
  /** The faults file's `failResources`: logical id → the operation that fails on it. */
  readonly failResources?: Readonly<Record<string, 'create' | 'update'>>;
  /** @default systemClock */
  readonly clock?: Clock;
  readonly store?: OverlayStore;
}

export const INJECTED_FAILURE_MESSAGE = 'Injected failure (faults file)';

function injectedReason(): string {
  return `Resource handler returned message: "${INJECTED_FAILURE_MESSAGE}" (RequestToken: ${crypto.randomUUID()}, HandlerErrorCode: GeneralServiceException)`;
}

const STACK_TYPE = 'AWS::CloudFormation::Stack';

interface Step {
  readonly resource?: ResourceRef;
  readonly status: string;
  readonly reason?: string;
}

/** The steps of an operation, in order: the stack's own first and last, each resource's in between. */
function stepsOf(plan: OperationPlan, failing: ResourceRef | undefined): Step[] {
  const { kind, resources } = plan;
  const steps: Step[] = [];
  if (plan.exportInUse !== undefined) return exportInUseSteps(plan, plan.exportInUse);
  if (kind === 'delete') {
    steps.push({ status: 'DELETE_IN_PROGRESS', reason: 'User Initiated' });
    for (const resource of [...resources].reverse()) {
      steps.push({ resource, status: 'DELETE_IN_PROGRESS' }, { resource, status: 'DELETE_COMPLETE' });
    }
    steps.push({ status: 'DELETE_COMPLETE' });
    return steps;
  }
  const prefix = kind === 'create' ? 'CREATE' : 'UPDATE';
  steps.push({ status: `${prefix}_IN_PROGRESS`, reason: 'User Initiated' });
  const done: ResourceRef[] = [];
  const removed = resources.filter((resource) => resource.action === 'Remove');
  for (const resource of resources) {
    if (resource.action === 'Remove') continue;
    const verb = kind === 'create' || resource.action === 'Add' ? 'CREATE' : 'UPDATE';
    steps.push({ resource, status: `${verb}_IN_PROGRESS` });
    if (resource === failing) {
      steps.push({ resource, status: `${verb}_FAILED`, reason: injectedReason() });
      break;
    }
    steps.push({ resource, status: `${verb}_COMPLETE` });
    done.push(resource);
  }
  if (failing === undefined) {
    if (kind === 'create') {
      steps.push({ status: 'CREATE_COMPLETE' });
      return steps;
    }
    steps.push({ status: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' });
    for (const resource of removed) {
      steps.push({ resource, status: 'DELETE_IN_PROGRESS' }, { resource, status: 'DELETE_COMPLETE' });
    }
    steps.push({ status: 'UPDATE_COMPLETE' });
    return steps;
  }
  const verb = kind === 'create' || failing.action === 'Add' ? 'create' : 'update';
  const summary = `The following resource(s) failed to ${verb}: [${failing.logicalId}]. `;
  if (kind === 'create') {
    steps.push({ status: 'ROLLBACK_IN_PROGRESS', reason: `${summary}Rollback requested by user.` });
    for (const resource of [failing, ...done.reverse()]) {
      steps.push({ resource, status: 'DELETE_IN_PROGRESS' }, { resource, status: 'DELETE_COMPLETE' });
    }
    steps.push({ status: 'ROLLBACK_COMPLETE' });
    if (plan.deleteOnFailure === true) {
      steps.push({ status: 'DELETE_IN_PROGRESS', reason: 'User Initiated' }, { status: 'DELETE_COMPLETE' });
    }
    return steps;
  }
  steps.push({ status: 'UPDATE_ROLLBACK_IN_PROGRESS', reason: summary.trim() });
  for (const resource of done.reverse()) {
    const back = resource.action === 'Add' ? 'DELETE' : 'UPDATE';
    steps.push({ resource, status: `${back}_IN_PROGRESS` }, { resource, status: `${back}_COMPLETE` });
  }
  if (failing.action === 'Add') {
    steps.push(
      { resource: failing, status: 'DELETE_IN_PROGRESS' },
      { resource: failing, status: 'DELETE_COMPLETE' },
    );
  }
  steps.push(
    { status: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' },
    { status: 'UPDATE_ROLLBACK_COMPLETE' },
  );
  return steps;
}

/**
 * An operation CloudFormation stops because another stack imports an export it would remove: a
 * delete is cancelled (the stack is back at its status, with the reason; no DELETE_FAILED), an
 * update rolls back after its resources were updated.
 */
function exportInUseSteps(
  plan: OperationPlan,
  exportInUse: NonNullable<OperationPlan['exportInUse']>,
): Step[] {
  if (plan.kind === 'delete') {
    return [
      { status: 'DELETE_IN_PROGRESS', reason: 'User Initiated' },
      { status: exportInUse.statusBefore, reason: exportInUse.reason },
    ];
  }
  const steps: Step[] = [{ status: 'UPDATE_IN_PROGRESS', reason: 'User Initiated' }];
  const done = plan.resources.filter((resource) => resource.action !== 'Remove');
  for (const resource of done) {
    const verb = resource.action === 'Add' ? 'CREATE' : 'UPDATE';
    steps.push({ resource, status: `${verb}_IN_PROGRESS` }, { resource, status: `${verb}_COMPLETE` });
  }
  steps.push({ status: 'UPDATE_ROLLBACK_IN_PROGRESS', reason: exportInUse.reason });
  for (const resource of [...done].reverse()) {
    const back = resource.action === 'Add' ? 'DELETE' : 'UPDATE';
    steps.push({ resource, status: `${back}_IN_PROGRESS` }, { resource, status: `${back}_COMPLETE` });
  }
  steps.push(
    { status: 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' },
    { status: 'UPDATE_ROLLBACK_COMPLETE' },
  );
  return steps;
}

export class StackOperations {
  readonly operationMs: number;
  readonly changeSetMs: number;
  private readonly failResources: Readonly<Record<string, 'create' | 'update'>>;
  private readonly clock: Clock;
  private readonly store: OverlayStore | undefined;
  private readonly stacks = new Map<string, StackEventRecord[]>();
  private readonly changeSets = new Map<string, ChangeSetTimeline>();

  constructor(options: StackOperationsOptions = {}) {
    const operationMs = options.operationMs ?? DEFAULT_OPERATION_MS;
    if (!Number.isInteger(operationMs) || operationMs < 0) {
      throw new Error(`operationMs must be a whole number of milliseconds ≥ 0 (got ${operationMs})`);
    }
    this.operationMs = operationMs;
    const changeSetMs = options.changeSetMs ?? operationMs;
    if (!Number.isInteger(changeSetMs) || changeSetMs < 0) {
      throw new Error(`changeSetMs must be a whole number of milliseconds ≥ 0 (got ${changeSetMs})`);
    }
    this.changeSetMs = changeSetMs;
    this.failResources = options.failResources ?? {};
    this.clock = options.clock ?? systemClock;
    this.store = options.store;
    const snapshot = this.store?.load();
    for (const [stackId, events] of Object.entries(snapshot?.stacks ?? {})) this.stacks.set(stackId, events);
    for (const [id, changeSet] of Object.entries(snapshot?.changeSets ?? {}))
      this.changeSets.set(id, changeSet);
  }

  private save(): void {
    this.store?.save({
      stacks: Object.fromEntries(this.stacks),
      changeSets: Object.fromEntries(this.changeSets),
    });
  }

  /** Forgets everything (the front was pointed at another moto). */
  clear(): void {
    this.stacks.clear();
    this.changeSets.clear();
    this.save();
  }

  /** The resource of `resources` that `kind` fails on, per failResources (`create` also fails an Add of an update). */
  failingResource(kind: OperationPlan['kind'], resources: readonly ResourceRef[]): ResourceRef | undefined {
    if (kind === 'delete') return undefined;
    return resources.find((resource) => {
      const fault = this.failResources[resource.logicalId];
      if (fault === undefined || resource.action === 'Remove') return false;
      const creates = kind === 'create' || resource.action === 'Add';
      return fault === (creates ? 'create' : 'update');
    });
  }

  /** Records an operation that starts now: its events, spread over operationMs. */
  startOperation(plan: OperationPlan): OperationStarted {
    const failed = this.failingResource(plan.kind, plan.resources);
    const steps = stepsOf(plan, failed);
    const start = this.clock.now();
    const endsAt = start + this.operationMs;
    const events = this.stacks.get(plan.stackId) ?? [];
    steps.forEach((step, index) => {
      const timestamp =
        steps.length === 1 ? endsAt : start + Math.round((this.operationMs * index) / (steps.length - 1));
      events.push({
        eventId: crypto.randomUUID(),
        stackId: plan.stackId,
        stackName: plan.stackName,
        logicalResourceId: step.resource?.logicalId ?? plan.stackName,
        physicalResourceId: step.resource === undefined ? plan.stackId : (step.resource.physicalId ?? ''),
        resourceType: step.resource?.type ?? STACK_TYPE,
        resourceStatus: step.status,
        ...(step.reason === undefined ? {} : { reason: step.reason }),
        timestamp,
        ...(plan.clientRequestToken === undefined ? {} : { clientRequestToken: plan.clientRequestToken }),
      });
    });
    this.stacks.set(plan.stackId, events);
    this.save();
    const finalStatus = steps.at(-1)?.status ?? 'UNKNOWN';
    const rolledBack = failed !== undefined || plan.exportInUse !== undefined;
    return { endsAt, finalStatus, rolledBack, ...(failed === undefined ? {} : { failed }) };
  }

  /** The stack's events so far, newest first, or undefined when no operation went through the overlay. */
  events(stackId: string): StackEventRecord[] | undefined {
    const events = this.stacks.get(stackId);
    if (events === undefined) return undefined;
    const now = this.clock.now();
    return events.filter((event) => event.timestamp <= now).reverse();
  }

  /** The stack's status now (its latest stack event), or undefined when the overlay does not know it. */
  stackStatus(stackId: string): { status: string; reason?: string } | undefined {
    const latest = this.events(stackId)?.find(
      (event) => event.resourceType === STACK_TYPE && event.physicalResourceId === stackId,
    );
    if (latest === undefined) return undefined;
    return {
      status: latest.resourceStatus,
      ...(latest.reason === undefined ? {} : { reason: latest.reason }),
    };
  }

  /**
   * Why AWS would refuse to update the stack now, as its ValidationError message: an operation in
   * progress, or a first create that rolled back (ROLLBACK_COMPLETE can only be deleted).
   */
  updateRefusal(stackId: string): string | undefined {
    const status = this.stackStatus(stackId)?.status;
    if (status === undefined) return undefined;
    if (status.endsWith('_IN_PROGRESS') || status === 'ROLLBACK_COMPLETE' || status.endsWith('_FAILED')) {
      return `Stack:${stackId} is in ${status} state and can not be updated.`;
    }
    return undefined;
  }

  /**
   * A change set created now: CREATE_PENDING, then CREATE_IN_PROGRESS, then moto's status, or
   * FAILED with `failure` as its StatusReason when CloudFormation would fail it while creating it.
   */
  changeSetCreated(changeSetId: string, stackId: string, failure?: string): void {
    const now = this.clock.now();
    this.changeSets.set(changeSetId, {
      changeSetId,
      stackId,
      createdAt: now,
      readyAt: now + this.changeSetMs,
      ...(failure === undefined ? {} : { failure }),
    });
    this.save();
  }

  /** The change set is executed by `operation`. */
  changeSetExecuted(changeSetId: string, operation: OperationStarted): void {
    const changeSet = this.changeSets.get(changeSetId);
    if (changeSet === undefined) return;
    this.changeSets.set(changeSetId, {
      ...changeSet,
      execution: { endsAt: operation.endsAt, failed: operation.failed !== undefined },
    });
    this.save();
  }

  /**
   * A change set's Status and ExecutionStatus now, given moto's (which are final at once);
   * `creating` while it is not created yet (no changes to list, cannot be executed).
   */
  changeSetStatus(
    changeSetId: string,
    moto: { status: string; executionStatus: string },
  ): { status: string; executionStatus: string; creating: boolean; statusReason?: string } {
    const changeSet = this.changeSets.get(changeSetId);
    if (changeSet === undefined) return { ...moto, creating: false };
    const now = this.clock.now();
    if (now < changeSet.readyAt) {
      const pendingUntil = changeSet.createdAt + (changeSet.readyAt - changeSet.createdAt) / 5;
      return {
        status: now < pendingUntil ? 'CREATE_PENDING' : 'CREATE_IN_PROGRESS',
        executionStatus: 'UNAVAILABLE',
        creating: true,
      };
    }
    if (changeSet.failure !== undefined) {
      return {
        status: 'FAILED',
        executionStatus: 'UNAVAILABLE',
        creating: false,
        statusReason: changeSet.failure,
      };
    }
    if (changeSet.execution === undefined) return { ...moto, creating: false };
    if (now < changeSet.execution.endsAt) {
      return { status: moto.status, executionStatus: 'EXECUTE_IN_PROGRESS', creating: false };
    }
    return {
      status: moto.status,
      executionStatus: changeSet.execution.failed ? 'EXECUTE_FAILED' : 'EXECUTE_COMPLETE',
      creating: false,
    };
  }
}
