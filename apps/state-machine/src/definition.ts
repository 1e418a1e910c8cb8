import type { TaskName } from '@cfn-safe-deploy/state-payloads';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Choice, Condition, type IChainable, JsonPath, Pass } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { updateByChangeSetPath } from './workflow/change-set.js';
import { createStackPath } from './workflow/create-stack.js';
import { recreateStackPath } from './workflow/recreate-stack.js';
import { stackCheckPath } from './workflow/stack-check.js';
import { workflowStates } from './workflow/states.js';

/**
 * Builds the Deploy workflow from its paths (src/workflow/): Start Deployment → Load Template →
 * the stack check, which picks the path that creates, recreates or updates the stack.
 * `functionFor` gives the Lambda function of each task.
 */
export function buildDeployDefinition(
  scope: Construct,
  functionFor: (task: TaskName) => IFunction,
): IChainable {
  const states = workflowStates(scope, functionFor);
  const { createStack, created } = createStackPath(states);
  const checkStack = stackCheckPath(states, {
    create: createStack,
    recreate: recreateStackPath(states, createStack),
    update: updateByChangeSetPath(scope, states, { createStack, created }),
  });

  // The template is read once, before any stack is looked at: an unusable artifact fails the
  // deployment before anything changes, and every Task that needs the template takes it from $.template.
  const loadTemplate = states.task('Load Template');
  loadTemplate.next(checkStack);

  // A cloud assembly's file assets are published before its first stack is looked at, so that no
  // stack of it is deployed with a template whose code is not at its destination.
  const publishAssets = states.task('Publish Assets');
  publishAssets.next(loadTemplate);
  const assetsToPublish = new Choice(scope, 'Assets To Publish?', {
    comment: 'The Trigger names asset manifests in the input of the first stack of a cloud assembly only.',
  })
    .when(Condition.isPresent('$.input.assetManifests'), publishAssets)
    .otherwise(loadTemplate);

  return new Pass(scope, 'Start Deployment', {
    comment:
      'The execution input goes under $.input; the execution name (one per pipeline job) is the deployment id.',
    parameters: { input: JsonPath.objectAt('$'), deploymentId: JsonPath.stringAt('$$.Execution.Name') },
  }).next(assetsToPublish);
}
