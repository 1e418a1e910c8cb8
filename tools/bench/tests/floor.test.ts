import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFloorBundle, floorHandlerSource, floorSlug } from '../src/floor.js';

const benchRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspaceRoot = resolve(benchRoot, '../..');
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('floorHandlerSource', () => {
  it('GIVEN the CloudFormation client only WHEN the sdk floor is made THEN it imports that client and neither the Logger nor zod', () => {
    // Act
    const source = floorHandlerSource(['CloudFormation'], 'sdk');

    // Assess
    expect(source).toContain(
      "import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';",
    );
    expect(source).toContain('const c0 = new CloudFormationClient({});');
    expect(source).toContain('export const handler');
    expect(source).not.toContain('@aws-lambda-powertools/logger');
    expect(source).not.toContain('zod');
  });

  it('GIVEN two clients WHEN the mandated floor is made THEN it creates both clients, a Logger and a zod/mini schema', () => {
    // Act
    const source = floorHandlerSource(['CloudFormation', 'S3'], 'mandated');

    // Assess
    expect(source).toContain("from '@aws-sdk/client-s3'");
    expect(source).toContain('const c1 = new S3Client({});');
    expect(source).toContain("import { Logger } from '@aws-lambda-powertools/logger';");
    expect(source).toContain("import * as z from 'zod/mini';");
    expect(source).toContain('Input.parse(event)');
  });

  it('GIVEN a client it does not know WHEN the floor is made THEN the error names it and the known ones', () => {
    expect(() => floorHandlerSource(['DynamoDB'], 'sdk')).toThrow(
      'no AWS SDK v3 client is known for "DynamoDB"; expected one of CloudFormation, S3, StepFunctions, CodePipeline',
    );
  });

  it('GIVEN no client WHEN the floor is made THEN it is refused', () => {
    expect(() => floorHandlerSource([], 'sdk')).toThrow('needs at least one client');
  });

  it('names each floor after its clients and stack', () => {
    expect(floorSlug(['CloudFormation', 'S3'], 'mandated')).toBe('cloudformation-s3-mandated');
  });
});

describe('buildFloorBundle', () => {
  it('GIVEN the CloudFormation clients WHEN the sdk floor is bundled THEN the bundle loads, exports a handler and holds that client only', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
    dirs.push(dir);

    // Act
    const path = buildFloorBundle({
      workspaceRoot,
      benchRoot,
      dir,
      clients: ['CloudFormation'],
      stack: 'sdk',
    });

    // Assess
    const module = (await import(pathToFileURL(path).href)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
    const meta = JSON.parse(readFileSync(join(dirname(path), 'meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const inputs = Object.keys(meta.inputs);
    expect(inputs.some((input) => input.includes('@aws-sdk/client-cloudformation/'))).toBe(true);
    expect(inputs.some((input) => input.includes('@aws-sdk/client-s3/'))).toBe(false);
    expect(inputs.some((input) => input.includes('@aws-lambda-powertools/logger/'))).toBe(false);
  });
});
