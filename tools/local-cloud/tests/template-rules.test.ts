import type { Template } from '@cfn-safe-deploy/changeset-policy';
import { describe, expect, it } from 'vitest';
import { failedRule, type ParameterValue, resolveParameters } from '../src/template-rules.js';

const PSEUDO = { 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012' };

/** CDK's CheckBootstrapVersion rule, as aws-cdk-lib synthesizes it. */
const CDK_TEMPLATE: Template = {
  Parameters: {
    BootstrapVersion: {
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/cdk-bootstrap/hnb659fds/version',
    },
  },
  Rules: {
    CheckBootstrapVersion: {
      Assertions: [
        {
          Assert: {
            'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] }],
          },
          AssertDescription: 'CDK bootstrap stack version 6 required.',
        },
      ],
    },
  },
};

function values(entries: Record<string, ParameterValue>): Map<string, ParameterValue> {
  return new Map(Object.entries(entries));
}

describe('template rules', () => {
  it('GIVEN the SSM parameter WHEN resolved THEN the type is read from SSM, the default name looked up', async () => {
    // Act
    const asked: string[] = [];
    const resolved = await resolveParameters(CDK_TEMPLATE, {
      given: new Map(),
      previous: new Map(),
      ssmParameter: async (name) => {
        asked.push(name);
        return '33';
      },
    });
    // Assess
    expect(asked).toEqual(['/cdk-bootstrap/hnb659fds/version']);
    expect(resolved).toEqual(values({ BootstrapVersion: '33' }));
    expect(failedRule(CDK_TEMPLATE, resolved as Map<string, ParameterValue>, PSEUDO)).toBeUndefined();
  });

  it('GIVEN no such SSM parameter WHEN resolved THEN AWS’s message names it', async () => {
    // Act
    const resolved = await resolveParameters(CDK_TEMPLATE, {
      given: new Map([['BootstrapVersion', '/other/version']]),
      previous: new Map(),
      ssmParameter: async () => undefined,
    });
    // Assess
    expect(resolved).toEqual({
      code: 'ValidationError',
      message: 'Unable to fetch parameters [/other/version] from parameter store for this account.',
    });
  });

  it('GIVEN version 5 WHEN the CDK rule is evaluated THEN its AssertDescription is the error', () => {
    // Act
    const problem = failedRule(CDK_TEMPLATE, values({ BootstrapVersion: '5' }), PSEUDO);
    // Assess
    expect(problem).toEqual({ code: 'ValidationError', message: 'CDK bootstrap stack version 6 required.' });
  });

  it('GIVEN a rule condition, And/Or/Equals and list members WHEN evaluated THEN each behaves as CloudFormation’s', () => {
    // Arrange
    const template: Template = {
      Rules: {
        ProdOnly: {
          RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
          Assertions: [
            {
              Assert: {
                'Fn::And': [
                  { 'Fn::EachMemberIn': [{ Ref: 'Zones' }, ['a', 'b', 'c']] },
                  {
                    'Fn::Or': [
                      { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
                      { 'Fn::Equals': ['x', 'x'] },
                    ],
                  },
                ],
              },
            },
            { Assert: { 'Fn::EachMemberEquals': [{ Ref: 'Zones' }, 'a'] } },
          ],
        },
      },
    };
    // Act
    const skipped = failedRule(template, values({ Env: 'dev', Zones: ['z'] }), PSEUDO);
    const firstFails = failedRule(template, values({ Env: 'prod', Zones: ['a', 'z'] }), PSEUDO);
    const secondFails = failedRule(template, values({ Env: 'prod', Zones: ['a', 'b'] }), PSEUDO);
    const holds = failedRule(template, values({ Env: 'prod', Zones: ['a', 'a'] }), PSEUDO);
    // Assess
    expect(skipped).toBeUndefined();
    expect(firstFails?.message).toBe('Assertion failed for rule ProdOnly');
    expect(secondFails?.message).toBe('Assertion failed for rule ProdOnly');
    expect(holds).toBeUndefined();
  });

  it('GIVEN a rule over the account’s resources WHEN evaluated THEN it is not enforced and the log says why', () => {
    // Arrange
    const template: Template = {
      Rules: {
        Vpc: { Assertions: [{ Assert: { 'Fn::EachMemberIn': [{ 'Fn::ValueOfAll': ['x', 'y'] }, ['a']] } }] },
      },
    };
    const lines: string[] = [];
    // Act
    const problem = failedRule(template, new Map(), PSEUDO, (line) => lines.push(line));
    // Assess
    expect(problem).toBeUndefined();
    expect(lines).toEqual([expect.stringContaining('rule Vpc is not enforced: it uses Fn::ValueOfAll')]);
  });
});
