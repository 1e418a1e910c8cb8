import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type IPolicyValidationContext, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { SampleDataStack } from '../src/data-stack.js';
import { acknowledgeNagFindings } from '../src/nag.js';
import { NAMING_RULE, NamingCheck } from '../src/naming-check.js';
import { SampleServiceStack } from '../src/service-stack.js';
import { VARIANTS } from '../src/variants.js';

const outdirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'sample-app-checks-'));
  outdirs.push(dir);
  return dir;
};

afterEach(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('cdk-nag (AwsSolutions)', () => {
  it.each(VARIANTS)(
    '%s: the app synthesizes with the checks on (every finding acknowledged with a reason)',
    (variant) => {
      // GIVEN
      const { app } = createApp({ variant, appProps: { outdir: tempDir() } });

      // WHEN / THEN
      expect(() => app.synth()).not.toThrow();
    },
  );

  it('without the acknowledgement, the managed policy of the function role is a finding that stops synthesis', () => {
    // GIVEN the same stacks, checked but not acknowledged
    const app = new App({ outdir: tempDir() });
    const data = new SampleDataStack(app, 'Data');
    new SampleServiceStack(app, 'Service', { table: data.table });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // WHEN / THEN
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM4|Validation failed/);
  });

  it('the acknowledgement is the only one: it makes exactly that app pass', () => {
    // GIVEN
    const app = new App({ outdir: tempDir() });
    const data = new SampleDataStack(app, 'Data');
    const service = new SampleServiceStack(app, 'Service', { table: data.table });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    // WHEN
    acknowledgeNagFindings(data, service);

    // THEN
    expect(() => app.synth()).not.toThrow();
  });
});

describe('the naming check', () => {
  const context = (template: unknown): IPolicyValidationContext => {
    const path = join(tempDir(), 'Stack.template.json');
    writeFileSync(path, JSON.stringify(template));
    return {
      templatePaths: [path],
      stackTemplates: [],
      appConstruct: new App(),
    };
  };

  it('passes templates whose resources CloudFormation names', () => {
    // GIVEN
    const check = new NamingCheck('1.0.0');

    // WHEN
    const report = check.validate(
      context({ Resources: { T: { Type: 'AWS::DynamoDB::Table', Properties: {} } } }),
    );

    // THEN
    expect(report).toEqual({ success: true, violations: [], pluginVersion: '1.0.0' });
  });

  it('reports a resource with an explicit physical name, naming it and the property', () => {
    // GIVEN
    const check = new NamingCheck('1.0.0');

    // WHEN
    const report = check.validate(
      context({
        Resources: {
          Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'mine' } },
          Queue: { Type: 'AWS::SQS::Queue' },
        },
      }),
    );

    // THEN
    expect(report.success).toBe(false);
    expect(report.violations).toEqual([
      expect.objectContaining({
        ruleName: NAMING_RULE,
        violatingResources: [
          expect.objectContaining({
            resourceLogicalId: 'Fn',
            locations: ['Resources/Fn/Properties/FunctionName'],
          }),
        ],
      }),
    ]);
  });

  it('refuses a version that is not MAJOR.MINOR.PATCH', () => {
    expect(() => new NamingCheck('latest')).toThrow(
      'naming check version is "latest"; expected MAJOR.MINOR.PATCH',
    );
  });
});
