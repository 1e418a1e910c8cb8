import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ReadItemResult, readItem } from './read-item.js';

/**
 * Which build this is: the bundler replaces `process.env.SAMPLE_CODE_REVISION` by a string literal
 * (`--build-env`), so two builds of the same source differ (dist/ says "1", dist-next/ "2").
 * Unbundled (in the tests), the variable of the process is read, else "unbundled".
 */
export const CODE_REVISION = process.env.SAMPLE_CODE_REVISION ?? 'unbundled';

const dynamodb = new DynamoDBClient({});

export const handler = (event: unknown): Promise<ReadItemResult> =>
  readItem(event, { dynamodb, env: process.env, codeRevision: CODE_REVISION });
