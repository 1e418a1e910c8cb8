import { Condition, JsonPath, Pass, type State } from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { WorkflowStates } from './states.js';

/**
 * An unsafe change set: Delete Change Set → "Blue/Green?" → with a blue/green stack name (the input
 * asked for it), "Prepare Blue/Green Stack" → `createStack`; otherwise "Change Set Refused" → the
 * refusal. Returns "Delete Change Set".
 */
export function refuseChangeSetPath(
  scope: Construct,
  states: WorkflowStates,
  createStack: State,
): LambdaInvoke {
  const changeSetRefused = states.outcome(
    'Change Set Refused',
    {
      result: 'refused',
      stackName: JsonPath.stringAt('$.changeSet.stackName'),
      verdict: JsonPath.stringAt('$.inspection.verdict'),
      findings: JsonPath.listAt('$.inspection.findings'),
      findingCount: JsonPath.numberAt('$.inspection.findingCount'),
    },
    states.describeRefusal,
  );
  const prepareBlueGreen = new Pass(scope, 'Prepare Blue-Green Stack', {
    stateName: 'Prepare Blue/Green Stack',
    comment: 'The unsafe change is deployed as a new stack; the existing stack is left as it is.',
    parameters: { stackName: JsonPath.stringAt('$.inspection.blueGreenStackName') },
    resultPath: '$.blueGreen',
  }).next(createStack);
  const deleteChangeSet = states.task('Delete Change Set');
  deleteChangeSet.next(
    states
      .choice('Blue/Green?', 'The input asked for blue/green: create a new stack instead of failing.')
      .when(Condition.isPresent('$.inspection.blueGreenStackName'), prepareBlueGreen)
      .otherwise(changeSetRefused),
  );
  return deleteChangeSet;
}
