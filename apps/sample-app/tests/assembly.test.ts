import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_STACK_ID, SERVICE_STACK_ID } from '../src/app.js';
import { synthesizeSampleAssembly } from '../src/assembly.js';
import type { Variant } from '../src/variants.js';
import { removeOutdirs, type Synthesized, synthesized } from './support.js';

interface AssetManifest {
  files: Record<
    string,
    {
      source: { path: string; packaging: string };
      destinations: Record<string, { bucketName: string; objectKey: string; assumeRoleArn?: string }>;
    }
  >;
  dockerImages: Record<string, unknown>;
}

interface Manifest {
  artifacts: Record<
    string,
    { type: string; dependencies?: string[]; properties?: { stackName?: string; file?: string } }
  >;
}

let base: Synthesized;

beforeAll(async () => {
  base = await synthesized('base');
});
afterAll(removeOutdirs);

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

describe('synthesizeSampleAssembly', () => {
  it('lists both stacks, the data stack first, with the names they keep when deployed', () => {
    expect(base.stacks).toEqual([
      {
        artifactId: DATA_STACK_ID,
        stackName: 'prod-sample-data',
        templateFile: 'SampleData.template.json',
        dependencies: [],
      },
      {
        artifactId: SERVICE_STACK_ID,
        stackName: 'prod-sample-service',
        templateFile: 'SampleService.template.json',
        dependencies: [DATA_STACK_ID],
      },
    ]);
  });

  it('writes a full cloud assembly: manifest, templates, asset manifests', () => {
    // GIVEN / WHEN
    const manifest = readJson<Manifest>(join(base.outdir, 'manifest.json'));

    // THEN
    expect(manifest.artifacts[DATA_STACK_ID]).toMatchObject({
      type: 'aws:cloudformation:stack',
      properties: { stackName: 'prod-sample-data' },
    });
    expect(manifest.artifacts[SERVICE_STACK_ID]).toMatchObject({
      type: 'aws:cloudformation:stack',
      properties: { stackName: 'prod-sample-service' },
      dependencies: expect.arrayContaining([DATA_STACK_ID, `${SERVICE_STACK_ID}.assets`]),
    });
    for (const id of [DATA_STACK_ID, SERVICE_STACK_ID]) {
      expect(manifest.artifacts[`${id}.assets`]).toMatchObject({
        type: 'cdk:asset-manifest',
        properties: { file: `${id}.assets.json` },
      });
      expect(existsSync(join(base.outdir, `${id}.template.json`))).toBe(true);
    }
  });

  it("stages the function's bundle as a zip file asset for the bootstrap bucket: index.mjs and its map, not the metafile", () => {
    // GIVEN
    const assets = readJson<AssetManifest>(join(base.outdir, `${SERVICE_STACK_ID}.assets.json`));
    const fn = Object.values(base.templates[SERVICE_STACK_ID]?.Resources ?? {}).find(
      (resource) => resource.Type === 'AWS::Lambda::Function',
    );
    const key = String((fn?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key);
    const hash = key.replace(/\.zip$/, '');

    // WHEN
    const asset = assets.files[hash];

    // THEN
    expect(asset?.source).toEqual({ path: `asset.${hash}`, packaging: 'zip' });
    expect(Object.values(asset?.destinations ?? {})).toEqual([
      expect.objectContaining({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: placeholders of the asset manifest
        bucketName: 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}',
        objectKey: key,
      }),
    ]);
    expect(readdirSync(join(base.outdir, `asset.${hash}`)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(assets.dockerImages).toEqual({});
  });

  it('the data stack has no file asset but its template', () => {
    // GIVEN / WHEN
    const assets = readJson<AssetManifest>(join(base.outdir, `${DATA_STACK_ID}.assets.json`));

    // THEN
    expect(Object.values(assets.files).map((file) => file.source)).toEqual([
      { path: 'SampleData.template.json', packaging: 'file' },
    ]);
  });

  it('names the stacks after another environment when asked', async () => {
    // GIVEN
    const dir = join(base.outdir, 'staging');

    // WHEN
    const assembly = await synthesizeSampleAssembly('base', dir, { environmentName: 'staging' });

    // THEN
    expect(assembly.stacks.map((stack) => stack.stackName)).toEqual([
      'staging-sample-data',
      'staging-sample-service',
    ]);
    expect(JSON.stringify(readJson(join(dir, 'SampleService.template.json')))).toContain(
      '"Fn::ImportValue":"staging-sample-data:',
    );
  });

  it('refuses an unknown variant, a bad environment name and an empty outdir, naming the value', async () => {
    await expect(synthesizeSampleAssembly('blue' as Variant, base.outdir)).rejects.toThrow(
      'variant is "blue"; expected one of base, code-change, table-key-change, metadata-only',
    );
    await expect(
      synthesizeSampleAssembly('base', join(base.outdir, 'x'), { environmentName: 'prod_1' }),
    ).rejects.toThrow('environmentName is "prod_1"; expected a letter, then letters, digits or hyphens');
    await expect(synthesizeSampleAssembly('base', '')).rejects.toThrow(
      'outdir is ""; expected the folder to write the assembly to',
    );
  });
});
