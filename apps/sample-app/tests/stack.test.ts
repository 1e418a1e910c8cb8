import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, STACK_ID, TEMPLATE_FILE } from '../src/app.js';
import { FUNCTION_CODE, VARIANTS, type Variant } from '../src/stack.js';

const outdirs: string[] = [];

function templateOf(variant: Variant): Template {
  return Template.fromStack(createApp({ variant, nag: false }).stack);
}

/** Synthesizes the whole app (cdk-nag included) into a temporary cloud assembly. */
function synthesize(variant: Variant): string {
  const outdir = mkdtempSync(join(tmpdir(), 'sample-app-'));
  outdirs.push(outdir);
  createApp({ variant, appProps: { outdir } }).app.synth();
  return outdir;
}

afterEach(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the base template', () => {
  it('has the function with inline code, its role and its log group', () => {
    // GIVEN / WHEN
    const template = templateOf('base');

    // THEN
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Code: { ZipFile: FUNCTION_CODE },
      Handler: 'index.handler',
      MemorySize: 128,
      FunctionName: Match.absent(),
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionRole'), 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FunctionLogs') } },
      Environment: {
        Variables: { ENVIRONMENT_NAME: { Ref: 'environmentName' }, GREETING: Match.anyValue() },
      },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
  });

  it("gives the function's role only its own log group", () => {
    // GIVEN / WHEN
    const template = templateOf('base');

    // THEN
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      },
      ManagedPolicyArns: Match.absent(),
      Policies: [
        {
          PolicyName: 'WriteOwnLogs',
          PolicyDocument: {
            Statement: [
              {
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Effect: 'Allow',
                Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionLogs'), 'Arn'] },
              },
            ],
          },
        },
      ],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('has the environmentName parameter and no other (no bootstrap version, no asset parameters)', () => {
    // GIVEN / WHEN
    const json = templateOf('base').toJSON();

    // THEN
    expect(Object.keys(json.Parameters ?? {})).toEqual(['environmentName']);
    expect(json.Parameters.environmentName).toMatchObject({
      Type: 'String',
      AllowedPattern: '^[a-zA-Z][-a-zA-Z0-9]*$',
    });
    expect(json.Rules).toBeUndefined();
    expect(json.Resources.CDKMetadata).toBeUndefined();
  });
});

describe('the variants', () => {
  it('the safe change modifies the function in place: memory and an environment variable', () => {
    // GIVEN / WHEN
    const base = templateOf('base').toJSON();
    const safe = templateOf('safe-change');

    // THEN
    safe.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 256,
      FunctionName: Match.absent(),
      Environment: {
        Variables: {
          GREETING: Match.not(base.Resources.Function76856677.Properties.Environment.Variables.GREETING),
        },
      },
    });
  });

  it('the replacing change names the function, a property whose change replaces it', () => {
    // GIVEN / WHEN
    const replacing = templateOf('replacing-change');

    // THEN
    replacing.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: { 'Fn::Join': ['-', [{ Ref: 'environmentName' }, 'sample-lambda-function']] },
    });
  });

  it('keeps every logical id across the variants (only properties change)', () => {
    // GIVEN / WHEN
    const ids = VARIANTS.map((variant) => Object.keys(templateOf(variant).toJSON().Resources).sort());

    // THEN
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
  });

  it('each step changes only the function: base → safe change in place, safe → replacing names it', () => {
    // GIVEN
    const base = templateOf('base').toJSON();
    const safe = templateOf('safe-change').toJSON();
    const replacing = templateOf('replacing-change').toJSON();
    const functionOf = (template: typeof base) => template.Resources.Function76856677;
    const withoutFunction = (template: typeof base) => {
      const { Function76856677: _function, ...others } = template.Resources;
      return others;
    };

    // WHEN
    const {
      MemorySize: _baseMemory,
      Environment: _baseEnvironment,
      ...baseRest
    } = functionOf(base).Properties;
    const {
      MemorySize: _safeMemory,
      Environment: _safeEnvironment,
      ...safeRest
    } = functionOf(safe).Properties;
    const { FunctionName: replacingName, ...replacingRest } = functionOf(replacing).Properties;

    // THEN the safe change touches only properties updated in place (MemorySize, Environment) ...
    expect(withoutFunction(safe)).toEqual(withoutFunction(base));
    expect(safeRest).toEqual(baseRest);
    expect(functionOf(safe).Properties.MemorySize).not.toBe(functionOf(base).Properties.MemorySize);
    // ... and the replacing change adds FunctionName, whose update requires a replacement, and nothing else.
    expect(withoutFunction(replacing)).toEqual(withoutFunction(safe));
    expect(replacingName).toBeDefined();
    expect(functionOf(safe).Properties.FunctionName).toBeUndefined();
    expect(replacingRest).toEqual(functionOf(safe).Properties);
  });

  it('rejects an unknown variant naming the choices', () => {
    // GIVEN
    const app = () => createApp({ appProps: { context: { variant: 'blue' } }, nag: false });

    // WHEN / THEN
    expect(app).toThrow('variant is "blue"; expected one of base, safe-change, replacing-change');
  });

  it('reads the variant from the context', () => {
    // GIVEN / WHEN
    const { stack } = createApp({ appProps: { context: { variant: 'safe-change' } }, nag: false });

    // THEN
    expect(stack.variant).toBe('safe-change');
  });
});

describe('the synthesized app', () => {
  it.each(VARIANTS)('%s: writes one self-contained template and passes cdk-nag (AwsSolutions)', (variant) => {
    // GIVEN / WHEN
    const outdir = synthesize(variant);

    // THEN
    const files = readdirSync(outdir).filter((file) => file.endsWith('.template.json'));
    expect(files).toEqual([TEMPLATE_FILE]);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    expect(Object.values(manifest.artifacts).map((artifact) => artifact.type)).not.toContain(
      'cdk:asset-manifest',
    );
    const text = readFileSync(join(outdir, TEMPLATE_FILE), 'utf8');
    expect(text).not.toMatch(/aws:cdk|CDKMetadata|BootstrapVersion|AssetParameters|cdk-hnb659fds/);
  });

  it('names the stack so that the template file is the one the example input names', () => {
    // GIVEN / WHEN
    const { stack } = createApp({ nag: false });

    // THEN
    expect(stack.stackName).toBe(STACK_ID);
    expect(TEMPLATE_FILE).toBe('SampleLambdaApp.template.json');
  });
});
