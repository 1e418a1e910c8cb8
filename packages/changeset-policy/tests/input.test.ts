import { describe, expect, it } from 'vitest';
import { ChangeSetInputError, groupChangeSets, parseChangeSetPages } from '../src/index.js';
import { ARN, add, modify, nestedStack, page } from './helpers.js';

function inputError(value: unknown, source?: string): ChangeSetInputError {
  try {
    parseChangeSetPages(value, source);
  } catch (error) {
    if (error instanceof ChangeSetInputError) return error;
    throw error;
  }
  throw new Error('expected a ChangeSetInputError');
}

describe('parseChangeSetPages', () => {
  it('accepts one response or an array of them, with the extra keys the AWS CLI prints', () => {
    const awsCliOutput = {
      ...page('a', [modify('Q', 'False')]),
      CreationTime: '2026-01-01T00:00:00.000Z',
      Capabilities: ['CAPABILITY_IAM'],
      Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }],
      Tags: [],
      IncludeNestedStacks: true,
      OnStackFailure: 'ROLLBACK',
      ImportExistingResources: false,
      NotificationARNs: [],
      RollbackConfiguration: {},
      Changes: [
        {
          Type: 'Resource',
          HookInvocationCount: 1,
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'Q',
            ResourceType: 'AWS::SQS::Queue',
            Replacement: 'False',
            BeforeContext: '{}',
            AfterContext: '{}',
            ModuleInfo: { TypeHierarchy: 'a', LogicalIdHierarchy: 'b' },
            Details: [
              {
                Target: {
                  Attribute: 'Properties',
                  Name: 'VisibilityTimeout',
                  RequiresRecreation: 'Never',
                  Path: '/Properties/VisibilityTimeout',
                  BeforeValue: '30',
                  AfterValue: '60',
                  AttributeChangeType: 'Modify',
                  BeforeValueFrom: 'PREVIOUS_DEPLOYMENT_STATE',
                },
                Evaluation: 'Static',
                ChangeSource: 'DirectModification',
              },
            ],
          },
        },
      ],
    };
    expect(parseChangeSetPages(awsCliOutput)).toHaveLength(1);
    expect(parseChangeSetPages([awsCliOutput, page('b', [])])).toHaveLength(2);
  });

  it('names the bad field and its index', () => {
    const value = page('a', [
      add('A'),
      add('B'),
      add('C'),
      { Type: 'Resource', ResourceChange: { Action: 42 as unknown as string } },
    ]);
    expect(inputError(value, 'cs.json').message).toBe(
      'cs.json: Changes[3].ResourceChange.Action must be a string (got number 42)',
    );
  });

  it('names the array element too', () => {
    expect(inputError([page('a', []), { ...page('b', []), Changes: 'none' }]).message).toContain(
      '[1].Changes must be an array (got "none")',
    );
  });

  it('rejects what is not a DescribeChangeSet response', () => {
    expect(inputError({ Resources: {} }, 'template.json').message).toMatch(
      /^template.json: is not a DescribeChangeSet result: it has no Changes list .* and neither ChangeSetId nor ChangeSetName/,
    );
    expect(inputError('hello').message).toContain('must be a DescribeChangeSet response');
    expect(inputError([]).message).toContain('empty array');
    expect(inputError([1, null]).message).toContain('[0] must be a DescribeChangeSet response');
  });

  it('accepts null for absent optional fields', () => {
    expect(parseChangeSetPages({ ...page('a', []), NextToken: null, StatusReason: null })).toHaveLength(1);
  });
});

describe('groupChangeSets', () => {
  it('groups pages by ChangeSetId, finds roots, incomplete change sets and missing nested ones', () => {
    const graph = groupChangeSets([
      page('root', [nestedStack('Child', ARN('child')), nestedStack('Other', ARN('other'))], {
        NextToken: 't1',
      }),
      page('child', [add('A')], { NextToken: 'x' }),
      page('root', [add('B')]),
    ]);
    expect([...graph.changeSets.keys()]).toEqual([ARN('root'), ARN('child')]);
    expect(graph.changeSets.get(ARN('root'))?.changes).toHaveLength(3);
    expect(graph.roots).toEqual([ARN('root')]);
    expect(graph.incomplete).toEqual([ARN('child')]);
    expect(graph.missingNested).toEqual([
      { parentId: ARN('root'), logicalResourceId: 'Other', changeSetId: ARN('other') },
    ]);
  });
});
