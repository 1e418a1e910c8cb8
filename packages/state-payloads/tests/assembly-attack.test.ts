import { describe, expect, it } from 'vitest';
import { parseAssemblyInputFile, planAssembly } from '../src/index.js';

// Attacks on planAssembly with crafted manifest.json files. Each test states what must hold; a
// failing one is a finding (see the attack report).

const input = (fields: Record<string, unknown> = {}) =>
  parseAssemblyInputFile({ environmentName: 'prod', cloudAssembly: 'cdk.out', ...fields });

function stack(templateFile: string, stackName: unknown, extra: Record<string, unknown> = {}) {
  return { type: 'aws:cloudformation:stack', properties: { templateFile, stackName }, ...extra };
}

function manifestOf(artifacts: Record<string, unknown>): string {
  return JSON.stringify({ version: '48.0.0', artifacts });
}

describe('attack: planAssembly', () => {
  it('refuses two artifacts deploying the same stack name (one stack would get two executions, the second template overwriting the first)', () => {
    // A multi-region app: the same stack name for us-east-1 and eu-west-1.
    const text = manifestOf({
      AppUs: stack('AppUs.template.json', 'prod-app', { environment: 'aws://111111111111/us-east-1' }),
      AppEu: stack('AppEu.template.json', 'prod-app', { environment: 'aws://111111111111/eu-west-1' }),
    });

    expect(() => planAssembly(text, input())).toThrow(/prod-app/);
  });

  it('refuses stacks that target different regions (every stack is deployed in the state machine region)', () => {
    const text = manifestOf({
      DataUs: stack('DataUs.template.json', 'prod-data-us', { environment: 'aws://111111111111/us-east-1' }),
      DataEu: stack('DataEu.template.json', 'prod-data-eu', { environment: 'aws://111111111111/eu-west-1' }),
    });

    expect(() => planAssembly(text, input())).toThrow(/eu-west-1|us-east-1/);
  });

  it('does not silently skip the stacks of a nested assembly (a CDK stage) next to stacks of its own', () => {
    const text = manifestOf({
      Shared: stack('Shared.template.json', 'prod-shared'),
      Regional: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Regional' } },
    });

    // Deploying only prod-shared and answering "All 1 stacks deployed" leaves the stage out unsaid.
    expect(() => planAssembly(text, input())).toThrow(/Regional/);
  });

  it('refuses a properties.stackName that is not a string instead of deploying the artifact id as the stack', () => {
    const text = manifestOf({
      'prod-fallback': stack('A.template.json', 42),
    });

    expect(() => planAssembly(text, input())).toThrow(/stackName/);
  });

  it('refuses more stacks than a continuation token can follow (10,000) before anything starts', () => {
    // The Trigger starts stack 1 and only then encodes its token, whose stack count is at most
    // 10,000: with 10,001 stacks the execution runs while the job is failed by the token's error.
    const artifacts = Object.fromEntries(
      Array.from({ length: 10_001 }, (_, index) => [
        `prod-s${index}`,
        { type: 'aws:cloudformation:stack', properties: { templateFile: 't.json' } },
      ]),
    );

    expect(() => planAssembly(manifestOf(artifacts), input())).toThrow(/10,?000/);
  });
});
