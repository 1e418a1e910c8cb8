import { DynamoDBClient, GetItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODE_REVISION, handler } from '../src/handler.js';
import { PARTITION_KEY, parseEvent, readItem, tableName } from '../src/read-item.js';

const dynamodb = mockClient(DynamoDBClient);
const deps = {
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  env: { TABLE_NAME: 'prod-sample-data-Items' },
  codeRevision: '7',
};

beforeEach(() => {
  dynamodb.reset();
});

describe('readItem', () => {
  it('reads the item by its id from the table named by TABLE_NAME, strongly consistent', async () => {
    // GIVEN
    dynamodb.on(GetItemCommand).resolves({
      Item: { id: { S: 'a' }, title: { S: 'first' }, count: { N: '3' }, done: { BOOL: true } },
    });

    // WHEN
    const result = await readItem({ id: 'a' }, deps);

    // THEN
    expect(result).toEqual({
      found: true,
      item: { id: 'a', title: 'first', count: 3, done: true },
      codeRevision: '7',
    });
    expect(dynamodb.commandCalls(GetItemCommand).map((call) => call.args[0].input)).toEqual([
      { TableName: 'prod-sample-data-Items', Key: { [PARTITION_KEY]: { S: 'a' } }, ConsistentRead: true },
    ]);
  });

  it('answers found: false when there is no such item', async () => {
    // GIVEN
    dynamodb.on(GetItemCommand).resolves({});

    // WHEN
    const result = await readItem({ id: 'missing' }, deps);

    // THEN
    expect(result).toEqual({ found: false, codeRevision: '7' });
  });

  it('leaves out attributes that are no string, number or boolean', async () => {
    // GIVEN
    dynamodb.on(GetItemCommand).resolves({ Item: { id: { S: 'a' }, tags: { SS: ['x', 'y'] } } });

    // WHEN
    const result = await readItem({ id: 'a' }, deps);

    // THEN
    expect(result.item).toEqual({ id: 'a' });
  });

  it('lets an error of DynamoDB through (Lambda reports it)', async () => {
    // GIVEN
    dynamodb
      .on(GetItemCommand)
      .rejects(new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} }));

    // WHEN / THEN
    await expect(readItem({ id: 'a' }, deps)).rejects.toThrow('Requested resource not found');
  });

  it('refuses an event without an id before calling DynamoDB', async () => {
    // GIVEN / WHEN / THEN
    await expect(readItem({ key: 'a' }, deps)).rejects.toThrow(
      'event.id is undefined; expected a non-empty string',
    );
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('refuses to run without TABLE_NAME, naming it', async () => {
    // GIVEN / WHEN / THEN
    await expect(readItem({ id: 'a' }, { ...deps, env: {} })).rejects.toThrow(
      'TABLE_NAME is not set; expected the name of the DynamoDB table to read',
    );
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(0);
  });
});

describe('parseEvent and tableName', () => {
  it.each([
    [null, 'event is null; expected an object {"id": "..."}'],
    ['a', 'event is "a"; expected an object {"id": "..."}'],
    [['a'], 'event is ["a"]; expected an object {"id": "..."}'],
    [{ id: '' }, 'event.id is ""; expected a non-empty string'],
    [{ id: 4 }, 'event.id is 4; expected a non-empty string'],
  ])('refuses %j', (event, message) => {
    expect(() => parseEvent(event)).toThrow(message);
  });

  it('accepts an id', () => {
    expect(parseEvent({ id: 'a', other: 1 })).toEqual({ id: 'a' });
  });

  it('refuses an empty TABLE_NAME', () => {
    expect(() => tableName({ TABLE_NAME: '' })).toThrow('TABLE_NAME is ""');
  });
});

describe('handler', () => {
  const saved = process.env.TABLE_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.TABLE_NAME;
    else process.env.TABLE_NAME = saved;
  });

  it("reads the table of the process's TABLE_NAME with its own client", async () => {
    // GIVEN
    process.env.TABLE_NAME = 'from-the-environment';
    dynamodb.on(GetItemCommand, { TableName: 'from-the-environment' }).resolves({ Item: { id: { S: 'b' } } });

    // WHEN
    const result = await handler({ id: 'b' });

    // THEN
    expect(result).toEqual({ found: true, item: { id: 'b' }, codeRevision: CODE_REVISION });
    expect(dynamodb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('says "unbundled" as its code revision when not built by the bundler', () => {
    expect(CODE_REVISION).toBe(process.env.SAMPLE_CODE_REVISION ?? 'unbundled');
  });
});
