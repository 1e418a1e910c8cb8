import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudFormationFront, startCloudFormationFront } from '../src/cloudformation-front.js';

/** A stand-in for moto failing: every request gets the HTML error page Flask serves on an exception. */
let htmlUpstream: Server;
let front: CloudFormationFront;
let cfn: CloudFormationClient;

beforeAll(async () => {
  htmlUpstream = createServer((_request, response) => {
    response.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
    response.end(
      '<!doctype html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1><p>KeyError: &#39;Name&#39;</p></body></html>',
    );
  });
  await new Promise<void>((done) => htmlUpstream.listen(0, '127.0.0.1', done));
  const port = (htmlUpstream.address() as AddressInfo).port;
  front = await startCloudFormationFront({ upstream: `http://127.0.0.1:${port}`, operationMs: 0 });
  cfn = new CloudFormationClient({
    endpoint: front.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  await front?.close();
  await new Promise((done) => htmlUpstream?.close(done));
});

describe("moto's HTML error pages, as CloudFormation would answer", () => {
  it.each([
    ['a request the front only passes on', () => cfn.send(new ListStacksCommand({}))],
    ['a request the time overlay handles', () => cfn.send(new DescribeStacksCommand({ StackName: 'qa-x' }))],
  ])('%s: InternalFailure, a server error, with the page text', async (_case, call) => {
    const error = await call().then(
      () => undefined,
      (thrown: unknown) => thrown as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } },
    );
    expect(error?.name).toBe('InternalFailure');
    expect(error?.$fault).toBe('server');
    expect(error?.$metadata?.httpStatusCode).toBe(500);
    expect(error?.message).toContain("the emulator's moto failed: 500 Internal Server Error");
  });
});
