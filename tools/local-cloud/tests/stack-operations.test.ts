import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Clock, fileStore, type ResourceRef, StackOperations } from '../src/stack-operations.js';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/app/1111';

class FakeClock implements Clock {
  constructor(private time = 1_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

const QUEUE: ResourceRef = { logicalId: 'Queue', type: 'AWS::SQS::Queue', physicalId: 'queue-url' };
const TOPIC: ResourceRef = { logicalId: 'Topic', type: 'AWS::SNS::Topic', physicalId: 'topic-arn' };

function overlay(clock: FakeClock, failResources: Record<string, 'create' | 'update'> = {}): StackOperations {
  return new StackOperations({ operationMs: 1000, clock, failResources });
}

describe('StackOperations: the statuses and events moto cannot show', () => {
  it('GIVEN a create WHEN time passes THEN the stack is CREATE_IN_PROGRESS until operationMs, then CREATE_COMPLETE, and refuses updates meanwhile', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock);
    // Act
    const started = operations.startOperation({
      kind: 'create',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [QUEUE, TOPIC],
      clientRequestToken: 'token-1',
    });
    // Assess
    expect(started).toEqual({ endsAt: 1_001_000, finalStatus: 'CREATE_COMPLETE', rolledBack: false });
    expect(operations.stackStatus(STACK_ID)?.status).toBe('CREATE_IN_PROGRESS');
    expect(operations.updateRefusal(STACK_ID)).toBe(
      `Stack:${STACK_ID} is in CREATE_IN_PROGRESS state and can not be updated.`,
    );
    clock.advance(999);
    expect(operations.stackStatus(STACK_ID)?.status).toBe('CREATE_IN_PROGRESS');
    clock.advance(1);
    expect(operations.stackStatus(STACK_ID)?.status).toBe('CREATE_COMPLETE');
    expect(operations.updateRefusal(STACK_ID)).toBeUndefined();
    const events = operations.events(STACK_ID) ?? [];
    expect(events.map((event) => `${event.logicalResourceId} ${event.resourceStatus}`)).toEqual([
      'app CREATE_COMPLETE',
      'Topic CREATE_COMPLETE',
      'Topic CREATE_IN_PROGRESS',
      'Queue CREATE_COMPLETE',
      'Queue CREATE_IN_PROGRESS',
      'app CREATE_IN_PROGRESS',
    ]);
    expect(new Set(events.map((event) => event.clientRequestToken))).toEqual(new Set(['token-1']));
  });

  it('GIVEN an update with a removal WHEN time passes THEN UPDATE_IN_PROGRESS, UPDATE_COMPLETE_CLEANUP_IN_PROGRESS (the removal), UPDATE_COMPLETE', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock);
    // Act
    operations.startOperation({
      kind: 'update',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [
        { ...QUEUE, action: 'Modify' },
        { ...TOPIC, action: 'Remove' },
      ],
    });
    const seen = new Set<string>();
    for (let step = 0; step <= 10; step += 1) {
      seen.add(operations.stackStatus(STACK_ID)?.status ?? '');
      clock.advance(100);
    }
    // Assess
    expect([...seen]).toEqual([
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      'UPDATE_COMPLETE',
    ]);
    const cleanup = (operations.events(STACK_ID) ?? []).slice(1, 3);
    expect(cleanup.map((event) => `${event.logicalResourceId} ${event.resourceStatus}`)).toEqual([
      'Topic DELETE_COMPLETE',
      'Topic DELETE_IN_PROGRESS',
    ]);
  });

  it('GIVEN failResources create WHEN the stack is created THEN CREATE_FAILED with the reason, ROLLBACK_IN_PROGRESS, then ROLLBACK_COMPLETE, which can only be deleted', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock, { Topic: 'create' });
    // Act
    const started = operations.startOperation({
      kind: 'create',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [QUEUE, TOPIC],
    });
    clock.advance(1000);
    // Assess
    expect(started.failed?.logicalId).toBe('Topic');
    expect(started.finalStatus).toBe('ROLLBACK_COMPLETE');
    expect(operations.stackStatus(STACK_ID)?.status).toBe('ROLLBACK_COMPLETE');
    expect(operations.updateRefusal(STACK_ID)).toBe(
      `Stack:${STACK_ID} is in ROLLBACK_COMPLETE state and can not be updated.`,
    );
    const events = [...(operations.events(STACK_ID) ?? [])].reverse();
    const failed = events.find((event) => event.resourceStatus === 'CREATE_FAILED');
    expect(failed).toMatchObject({ logicalResourceId: 'Topic', resourceType: 'AWS::SNS::Topic' });
    expect(failed?.reason).toMatch(/^Resource handler returned message: "Injected failure \(faults file\)"/);
    expect(events.map((event) => `${event.logicalResourceId} ${event.resourceStatus}`)).toEqual([
      'app CREATE_IN_PROGRESS',
      'Queue CREATE_IN_PROGRESS',
      'Queue CREATE_COMPLETE',
      'Topic CREATE_IN_PROGRESS',
      'Topic CREATE_FAILED',
      'app ROLLBACK_IN_PROGRESS',
      'Topic DELETE_IN_PROGRESS',
      'Topic DELETE_COMPLETE',
      'Queue DELETE_IN_PROGRESS',
      'Queue DELETE_COMPLETE',
      'app ROLLBACK_COMPLETE',
    ]);
  });

  it('GIVEN failResources create and OnFailure DELETE WHEN the create fails THEN the stack ends DELETE_COMPLETE', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock, { Queue: 'create' });
    // Act
    operations.startOperation({
      kind: 'create',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [QUEUE],
      deleteOnFailure: true,
    });
    clock.advance(1000);
    // Assess
    expect(operations.stackStatus(STACK_ID)?.status).toBe('DELETE_COMPLETE');
  });

  it('GIVEN failResources update WHEN an update modifies the resource THEN UPDATE_FAILED and UPDATE_ROLLBACK_COMPLETE; an update that leaves it alone succeeds', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock, { Queue: 'update' });
    // Act
    const untouched = operations.startOperation({
      kind: 'update',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [{ ...TOPIC, action: 'Modify' }],
    });
    clock.advance(1000);
    const failed = operations.startOperation({
      kind: 'update',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [{ ...QUEUE, action: 'Modify' }],
    });
    clock.advance(1000);
    // Assess
    expect(untouched.finalStatus).toBe('UPDATE_COMPLETE');
    expect(failed.finalStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(operations.stackStatus(STACK_ID)?.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(operations.updateRefusal(STACK_ID)).toBeUndefined();
    const stackReason = operations
      .events(STACK_ID)
      ?.find((e) => e.resourceStatus === 'UPDATE_ROLLBACK_IN_PROGRESS');
    expect(stackReason?.reason).toBe('The following resource(s) failed to update: [Queue].');
    expect(
      operations.events(STACK_ID)?.find((e) => e.resourceStatus === 'UPDATE_FAILED')?.logicalResourceId,
    ).toBe('Queue');
  });

  it('GIVEN an export in use WHEN a delete starts THEN it is cancelled: back at the status before, with the reason, no DELETE_FAILED', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock);
    const reason = 'Export Data:Name cannot be deleted as it is in use by qa-Service';
    // Act
    const started = operations.startOperation({
      kind: 'delete',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [QUEUE],
      exportInUse: { reason, statusBefore: 'UPDATE_COMPLETE' },
    });
    // Assess
    expect(started).toMatchObject({ finalStatus: 'UPDATE_COMPLETE', rolledBack: true });
    expect(operations.stackStatus(STACK_ID)?.status).toBe('DELETE_IN_PROGRESS');
    clock.advance(1000);
    expect(operations.stackStatus(STACK_ID)).toEqual({ status: 'UPDATE_COMPLETE', reason });
    expect(operations.events(STACK_ID)?.map((event) => event.resourceStatus)).toEqual([
      'UPDATE_COMPLETE',
      'DELETE_IN_PROGRESS',
    ]);
  });

  it('GIVEN an export in use WHEN an update removes it THEN its resources are updated, then rolled back with the reason', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock);
    const reason = 'Export Data:Name cannot be deleted as it is in use by qa-Service';
    // Act
    const started = operations.startOperation({
      kind: 'update',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [{ ...QUEUE, action: 'Modify' }],
      exportInUse: { reason, statusBefore: 'CREATE_COMPLETE' },
    });
    clock.advance(1000);
    // Assess
    expect(started).toMatchObject({ finalStatus: 'UPDATE_ROLLBACK_COMPLETE', rolledBack: true });
    const events = operations.events(STACK_ID)?.reverse() ?? [];
    expect(events.map((event) => `${event.logicalResourceId} ${event.resourceStatus}`)).toEqual([
      'app UPDATE_IN_PROGRESS',
      'Queue UPDATE_IN_PROGRESS',
      'Queue UPDATE_COMPLETE',
      'app UPDATE_ROLLBACK_IN_PROGRESS',
      'Queue UPDATE_IN_PROGRESS',
      'Queue UPDATE_COMPLETE',
      'app UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
      'app UPDATE_ROLLBACK_COMPLETE',
    ]);
    expect(events[3]?.reason).toBe(reason);
  });

  it('GIVEN a change set WHEN time passes THEN CREATE_PENDING, CREATE_IN_PROGRESS (UNAVAILABLE), then moto status; executed: EXECUTE_IN_PROGRESS then EXECUTE_COMPLETE or EXECUTE_FAILED', () => {
    // Arrange
    const clock = new FakeClock();
    const operations = overlay(clock, { Queue: 'update' });
    const moto = { status: 'CREATE_COMPLETE', executionStatus: 'AVAILABLE' };
    // Act / Assess
    operations.changeSetCreated('cs-1', STACK_ID);
    expect(operations.changeSetStatus('cs-1', moto)).toEqual({
      status: 'CREATE_PENDING',
      executionStatus: 'UNAVAILABLE',
      creating: true,
    });
    clock.advance(500);
    expect(operations.changeSetStatus('cs-1', moto)).toEqual({
      status: 'CREATE_IN_PROGRESS',
      executionStatus: 'UNAVAILABLE',
      creating: true,
    });
    clock.advance(500);
    expect(operations.changeSetStatus('cs-1', moto)).toEqual({ ...moto, creating: false });
    const started = operations.startOperation({
      kind: 'update',
      stackId: STACK_ID,
      stackName: 'app',
      resources: [{ ...QUEUE, action: 'Modify' }],
    });
    operations.changeSetExecuted('cs-1', started);
    const executed = { status: 'CREATE_COMPLETE', executionStatus: 'EXECUTE_COMPLETE' };
    expect(operations.changeSetStatus('cs-1', executed).executionStatus).toBe('EXECUTE_IN_PROGRESS');
    clock.advance(1000);
    expect(operations.changeSetStatus('cs-1', executed).executionStatus).toBe('EXECUTE_FAILED');
    // a change set the overlay never saw keeps moto's statuses
    expect(operations.changeSetStatus('other', moto)).toEqual({ ...moto, creating: false });
  });

  it('GIVEN a file store WHEN another overlay opens it THEN it sees the same statuses; a corrupt file is refused naming it', () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'stack-operations-'));
    const path = join(dir, 'state.json');
    const clock = new FakeClock();
    const first = new StackOperations({
      operationMs: 0,
      clock,
      failResources: { Queue: 'create' },
      store: fileStore(path),
    });
    first.startOperation({ kind: 'create', stackId: STACK_ID, stackName: 'app', resources: [QUEUE] });
    // Act
    const second = new StackOperations({ clock, store: fileStore(path) });
    // Assess
    expect(second.stackStatus(STACK_ID)?.status).toBe('ROLLBACK_COMPLETE');
    writeFileSync(path, JSON.stringify({ stacks: { x: [{ eventId: 1 }] }, changeSets: {} }));
    expect(() => new StackOperations({ store: fileStore(path) })).toThrow(
      new RegExp(
        `${path.replaceAll('/', '\\/')} \\(the emulator's CloudFormation statuses\\) is invalid: stacks\\.x\\.0\\.eventId`,
      ),
    );
  });

  it('GIVEN a bad operationMs WHEN the overlay is made THEN it is refused naming the value', () => {
    expect(() => new StackOperations({ operationMs: -1 })).toThrow(
      'operationMs must be a whole number of milliseconds ≥ 0 (got -1)',
    );
  });
});
