import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

/** The table's partition key (a string), as the sample app's data stack declares it. */
export const PARTITION_KEY = 'id';

/** What the function is invoked with: the id of the item to read. */
export interface ReadItemEvent {
  readonly id: string;
}

/** What the function answers: the item (its string, number and boolean attributes), or none. */
export interface ReadItemResult {
  readonly found: boolean;
  readonly item?: Readonly<Record<string, string | number | boolean>>;
  /** Which build of this code answered (set by the bundle; see README). */
  readonly codeRevision: string;
}

export interface ReadItemDeps {
  readonly dynamodb: DynamoDBClient;
  /** The environment: TABLE_NAME names the table. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly codeRevision: string;
}

/** Checks the event: an object with a non-empty string `id`. */
export function parseEvent(event: unknown): ReadItemEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new TypeError(
      `event is ${JSON.stringify(event) ?? String(event)}; expected an object {"id": "..."}`,
    );
  }
  const id: unknown = (event as Record<string, unknown>).id;
  if (typeof id !== 'string' || id === '') {
    throw new TypeError(`event.id is ${JSON.stringify(id) ?? String(id)}; expected a non-empty string`);
  }
  return { id };
}

/** The table's name from TABLE_NAME, which the service stack sets from the data stack's export. */
export function tableName(env: Readonly<Record<string, string | undefined>>): string {
  const name = env.TABLE_NAME;
  if (name === undefined || name === '') {
    throw new Error(
      `TABLE_NAME is ${JSON.stringify(name) ?? 'not set'}; expected the name of the DynamoDB table to read`,
    );
  }
  return name;
}

function plain(value: AttributeValue): string | number | boolean | undefined {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  return undefined;
}

/** Reads one item by its id (a strongly consistent GetItem of the table named by TABLE_NAME). */
export async function readItem(event: unknown, deps: ReadItemDeps): Promise<ReadItemResult> {
  const { id } = parseEvent(event);
  const output = await deps.dynamodb.send(
    new GetItemCommand({
      TableName: tableName(deps.env),
      Key: { [PARTITION_KEY]: { S: id } },
      ConsistentRead: true,
    }),
  );
  if (output.Item === undefined) return { found: false, codeRevision: deps.codeRevision };
  const item: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(output.Item)) {
    const converted = plain(value);
    if (converted !== undefined) item[name] = converted;
  }
  return { found: true, item, codeRevision: deps.codeRevision };
}
