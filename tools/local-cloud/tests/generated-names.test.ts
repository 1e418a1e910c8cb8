import { describe, expect, it } from 'vitest';
import { withGeneratedNames } from '../src/generated-names.js';

describe('withGeneratedNames', () => {
  it('GIVEN an unnamed SSM parameter WHEN prepared for moto THEN it gets the stack-and-logical-id name', async () => {
    const body =
      'Resources:\n  Flag:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: !Ref AWS::StackName\n';

    const named = await withGeneratedNames(body, 'qa-app');

    expect(JSON.parse(named ?? '{}')).toEqual({
      Resources: {
        Flag: {
          Type: 'AWS::SSM::Parameter',
          Properties: { Type: 'String', Value: { Ref: 'AWS::StackName' }, Name: 'qa-app-Flag' },
        },
      },
    });
  });

  it('GIVEN named parameters and other resources WHEN prepared THEN the template passes unchanged', async () => {
    const body = JSON.stringify({
      Resources: {
        Flag: { Type: 'AWS::SSM::Parameter', Properties: { Name: '/x', Type: 'String', Value: 'v' } },
        Queue: { Type: 'AWS::SQS::Queue' },
      },
    });

    expect(await withGeneratedNames(body, 'qa-app')).toBeUndefined();
  });

  it('GIVEN a template that does not parse WHEN prepared THEN it is left for CloudFormation to reject', async () => {
    expect(await withGeneratedNames('{ not json', 'qa-app')).toBeUndefined();
  });
});
