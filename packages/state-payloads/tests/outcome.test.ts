import { describe, expect, it } from 'vitest';
import { causeMessage, describeOutcome, MAX_PIPELINE_MESSAGE, OutcomeSchema } from '../src/index.js';
import { finding } from './fixtures.js';

const unsafe = 'RESOURCES-BEING-DELETED-OR-REPLACED' as const;

describe('describeOutcome', () => {
  it.each([
    [{ result: 'created', stackName: 'prod-app' }, 'Created stack prod-app.'],
    [
      { result: 'updated', stackName: 'prod-app' },
      'Updated stack prod-app: no resource was deleted or replaced.',
    ],
    [
      { result: 'no-changes', stackName: 'prod-app' },
      'No changes: stack prod-app already matches this revision.',
    ],
  ] as const)('says what happened for %j', (outcome, message) => {
    expect(describeOutcome(OutcomeSchema.parse(outcome))).toBe(message);
  });

  it('lists the findings of a refused change, with the verdict', () => {
    const message = describeOutcome({
      result: 'refused',
      stackName: 'prod-app',
      verdict: unsafe,
      findings: [
        finding(),
        finding({ stackPath: ['Storage'], logicalResourceId: 'Bucket', action: 'Remove' }),
      ],
      findingCount: 2,
    });

    expect(message).toContain(unsafe);
    expect(message).toContain('deleted without being executed');
    expect(message).toContain(
      '- Table (AWS::DynamoDB::Table): TableName requires the resource to be replaced',
    );
    expect(message).toContain('- Storage/Bucket');
  });

  it('names the blue/green stack', () => {
    const message = describeOutcome({
      result: 'blue-green',
      stackName: 'prod-app',
      blueGreenStackName: 'prod-app-bg-1234abcd',
      verdict: unsafe,
      findings: [finding()],
      findingCount: 1,
    });

    expect(message).toContain('prod-app-bg-1234abcd');
    expect(message).toContain('prod-app is unchanged');
  });

  it('stays within what CodePipeline shows, saying how many findings it left out', () => {
    const findings = Array.from({ length: 400 }, (_, i) => finding({ logicalResourceId: `Resource${i}` }));
    const message = describeOutcome({
      result: 'refused',
      stackName: 'prod-app',
      verdict: unsafe,
      findings,
      findingCount: 10_000,
    });

    expect(message.length).toBeLessThanOrEqual(MAX_PIPELINE_MESSAGE);
    expect(message).toMatch(/… and \d+ more$/);
  });

  it("gives CloudFormation's reason for a failure", () => {
    const message = describeOutcome({
      result: 'failed',
      stage: 'stack update',
      stackName: 'prod-app',
      reason: 'Function (AWS::Lambda::Function): Memory size 99999 is out of range',
    });

    expect(message).toBe(
      'Deployment of prod-app failed during stack update: Function (AWS::Lambda::Function): Memory size 99999 is out of range',
    );
  });
});

describe('causeMessage', () => {
  it("reads a Lambda error's message out of the cause", () => {
    const cause = JSON.stringify({
      errorType: 'ArtifactError',
      errorMessage: 'template.yaml is not in the archive',
      trace: [],
    });

    expect(causeMessage({ Error: 'ArtifactError', Cause: cause })).toBe(
      'ArtifactError: template.yaml is not in the archive',
    );
  });

  it('keeps a plain-text cause', () => {
    expect(causeMessage({ Error: 'States.Timeout', Cause: 'the task timed out' })).toBe(
      'States.Timeout: the task timed out',
    );
    expect(causeMessage({ Error: 'States.Timeout' })).toBe('States.Timeout');
  });
});
