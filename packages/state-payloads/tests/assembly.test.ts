import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  declaredParameters,
  EXECUTION_NAME,
  EXECUTION_NAME_MAX,
  executionNameFor,
  parseAssemblyInputFile,
  planAssembly,
} from '../src/index.js';

/** A manifest.json as CDK writes it: a data stack, a service stack depending on it, asset manifests. */
function manifest(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '48.0.0',
    artifacts: {
      'SampleService.assets': {
        type: 'cdk:asset-manifest',
        properties: { file: 'SampleService.assets.json' },
      },
      SampleService: {
        type: 'aws:cloudformation:stack',
        environment: 'aws://unknown-account/unknown-region',
        properties: { templateFile: 'SampleService.template.json', stackName: 'prod-sample-service' },
        dependencies: ['SampleData', 'SampleService.assets'],
      },
      'SampleData.assets': { type: 'cdk:asset-manifest', properties: { file: 'SampleData.assets.json' } },
      SampleData: {
        type: 'aws:cloudformation:stack',
        properties: { templateFile: 'SampleData.template.json', stackName: 'prod-sample-data' },
        dependencies: ['SampleData.assets'],
      },
      Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
      ...overrides,
    },
  });
}

const input = (fields: Record<string, unknown> = {}) =>
  parseAssemblyInputFile({ environmentName: 'prod', cloudAssembly: 'cdk.out', ...fields });

describe('parseAssemblyInputFile', () => {
  it('takes the assembly form with the defaults of the template form', () => {
    expect(input()).toEqual({ environmentName: 'prod', cloudAssembly: 'cdk.out', onUnsafeChange: 'fail' });
  });

  it('refuses blue/green with an assembly, saying why', () => {
    expect(() => input({ onUnsafeChange: 'blue-green' })).toThrow(
      /onUnsafeChange: "blue-green" is not supported with a cloud assembly: a copy of a stack would export the same names/,
    );
  });

  it('refuses the fields of the template form next to cloudAssembly, naming them', () => {
    expect(() => input({ stackName: 'x', templatePath: 't.json' })).toThrow(
      /stackName, templatePath: not allowed with cloudAssembly/,
    );
  });

  it.each([
    [{ stacks: [] }, /stacks.*at least one/],
    [{ stacks: ['A', 'A'] }, /stacks.*twice/],
    [{ cloudAssembly: '../cdk.out' }, /cloudAssembly.*\.\./],
    [{ unknown: 1 }, /unknown/],
  ])('refuses %j naming the field', (fields, message) => {
    expect(() => input(fields)).toThrow(message);
  });
});

describe('planAssembly', () => {
  it('orders the stacks by their dependencies, with their names, templates and asset manifests', () => {
    expect(planAssembly(manifest(), input())).toEqual([
      {
        artifactId: 'SampleData',
        stackName: 'prod-sample-data',
        templatePath: 'cdk.out/SampleData.template.json',
        dependsOn: [],
        assetManifests: ['cdk.out/SampleData.assets.json'],
        environment: 'aws://unknown-account/unknown-region',
      },
      {
        artifactId: 'SampleService',
        stackName: 'prod-sample-service',
        templatePath: 'cdk.out/SampleService.template.json',
        dependsOn: ['SampleData'],
        assetManifests: ['cdk.out/SampleService.assets.json'],
        environment: 'aws://unknown-account/unknown-region',
      },
    ]);
  });

  it('picks the named stacks, in dependency order whatever order they are named in', () => {
    const plan = planAssembly(manifest(), input({ stacks: ['SampleService', 'SampleData'] }));
    expect(plan.map((stack) => stack.artifactId)).toEqual(['SampleData', 'SampleService']);
    expect(planAssembly(manifest(), input({ stacks: ['SampleService'] })).map((s) => s.artifactId)).toEqual([
      'SampleService',
    ]);
  });

  it('refuses a stack id the assembly does not have, listing those it has', () => {
    expect(() => planAssembly(manifest(), input({ stacks: ['Nope'] }))).toThrow(
      /stacks: "Nope" is not a stack of the assembly cdk.out; its stacks are SampleService, SampleData/,
    );
  });

  it('refuses a stack not named after the environment: the state machine may manage no other', () => {
    const other = manifest({
      Other: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Other.template.json' } },
    });
    expect(() => planAssembly(other, input())).toThrow(
      /stack Other is named "Other": with environmentName "prod" every stack deployed must be named "prod-…"/,
    );
    expect(planAssembly(other, input({ stacks: ['SampleData'] }))).toHaveLength(1);
  });

  it('refuses a dependency cycle, naming the stacks', () => {
    const cycle = JSON.parse(manifest()) as { artifacts: Record<string, { dependencies?: string[] }> };
    cycle.artifacts.SampleData = { ...cycle.artifacts.SampleData, dependencies: ['SampleService'] };
    expect(() => planAssembly(JSON.stringify(cycle), input())).toThrow(
      /SampleService, SampleData depend on each other/,
    );
  });

  it.each([
    ['not JSON', '{', /cdk.out\/manifest.json in the source artifact is invalid: not JSON/],
    ['no stack', JSON.stringify({ version: '1', artifacts: {} }), /has no stack/],
    [
      'only stages',
      JSON.stringify({ version: '1', artifacts: { Prod: { type: 'cdk:cloud-assembly', properties: {} } } }),
      /nested assemblies \(CDK stages: Prod\); name a stage's directory \(e.g. cdk.out\/assembly-Prod\)/,
    ],
    [
      'a template outside the assembly',
      manifest({
        Evil: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: '../x.json', stackName: 'prod-x' },
        },
      }),
      /artifacts.Evil.properties.templateFile: must be a file of the assembly/,
    ],
  ])('refuses a manifest that is %s, naming it', (_what, text, message) => {
    expect(() => planAssembly(text, input())).toThrow(message);
  });
});

describe('declaredParameters', () => {
  it('lists the parameters a JSON template declares', () => {
    expect(
      declaredParameters(JSON.stringify({ Parameters: { environmentName: {}, BootstrapVersion: {} } }), 't'),
    ).toEqual(['environmentName', 'BootstrapVersion']);
    expect(declaredParameters('{"Resources": {}}', 't')).toEqual([]);
  });

  it('refuses a template that is not JSON, naming it', () => {
    expect(() => declaredParameters('Resources: {}', 'cdk.out/A.template.json')).toThrow(
      /cdk.out\/A.template.json in the source artifact.*must be JSON/,
    );
  });
});

describe('executionNameFor with a stack index', () => {
  it('names one execution per stack, after the job', () => {
    expect(executionNameFor('6f1b2c3d-aaaa', 0)).toBe('job-6f1b2c3d-aaaa-s1');
    expect(executionNameFor('6f1b2c3d-aaaa', 1)).toBe('job-6f1b2c3d-aaaa-s2');
  });

  it('is a valid, distinct execution name for any job id and index', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(9_998), (jobId, index) => {
        const name = executionNameFor(jobId, index);
        expect(name).toMatch(EXECUTION_NAME);
        expect(name.length).toBeLessThanOrEqual(EXECUTION_NAME_MAX);
        expect(name).not.toBe(executionNameFor(jobId, index + 1));
        expect(name).not.toBe(executionNameFor(jobId));
      }),
    );
  });
});
