import { describe, expect, it } from 'vitest';
import { templateProblem } from '../src/template-checks.js';

const queue = `Resources:
  Queue:
    Type: AWS::SQS::Queue
`;

describe('templateProblem: what CloudFormation answers before it does anything', () => {
  it('takes a valid template, custom resources and references to parameters and pseudo parameters', async () => {
    const template = `Parameters:
  environmentName:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${environmentName}-\${AWS::Region}-\${!Literal}'
  Setting:
    Type: AWS::SSM::Parameter
    DependsOn: Queue
    Properties:
      Type: String
      Value: !GetAtt Queue.Arn
      Description: !Sub
        - '\${Own} of \${Queue.QueueName}'
        - Own: !Ref AWS::StackName
  Custom:
    Type: Custom::Thing
    Properties:
      ServiceToken: !Ref environmentName
Outputs:
  Url:
    Value: !Ref Queue
`;
    expect(await templateProblem(template)).toBeUndefined();
  });

  it('answers YAML and JSON that do not parse as "not well-formed"', async () => {
    const yaml = await templateProblem('Resources:\n  Queue: [unclosed\n');
    const json = await templateProblem('{"Resources": {');
    expect(yaml).toMatchObject({ code: 'ValidationError' });
    expect(yaml?.message).toMatch(/^Template format error: YAML not well-formed\. \(.+\)$/);
    expect(json?.message).toMatch(/^Template format error: JSON not well-formed\. \(.+\)$/);
  });

  it('names every resource type that does not exist', async () => {
    const problem = await templateProblem(
      `${queue}  Thing:\n    Type: AWS::Nope::Thing\n  Other:\n    Type: AWS::SQS::Queues\n`,
    );
    expect(problem?.message).toBe(
      'Template format error: Unrecognized resource types: [AWS::Nope::Thing, AWS::SQS::Queues]',
    );
  });

  it('names unresolved Ref, Sub and DependsOn targets, and a GetAtt of an undefined resource', async () => {
    const ref = await templateProblem(
      `${queue}  Setting:\n    Type: AWS::SSM::Parameter\n    DependsOn: [Queue, Missing]\n    Properties:\n      Type: String\n      Value: !Sub '\${Nowhere}'\n      Name: !Ref Absent\n`,
    );
    const getAtt = await templateProblem(
      `${queue}  Setting:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Type: String\n      Value: !GetAtt Ghost.Arn\n`,
    );
    const output = await templateProblem(`${queue}Outputs:\n  X:\n    Value: !Ref Gone\n`);
    expect(ref?.message).toBe(
      'Template format error: Unresolved resource dependencies [Missing, Nowhere, Absent] in the Resources block of the template',
    );
    expect(getAtt?.message).toBe(
      'Template error: instance of Fn::GetAtt references undefined resource Ghost',
    );
    expect(output?.message).toBe(
      'Template format error: Unresolved resource dependencies [Gone] in the Outputs block of the template',
    );
  });

  it('refuses a template without resources, and only parses one with a Transform', async () => {
    expect((await templateProblem('Description: nothing\n'))?.message).toMatch(
      /^Template format error: .*Resources/,
    );
    expect(
      await templateProblem(
        `Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n`,
      ),
    ).toBeUndefined();
  });
});
