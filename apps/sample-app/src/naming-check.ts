import { readFileSync } from 'node:fs';
import type {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  PolicyViolatingResource,
} from 'aws-cdk-lib';

/** Properties that give a resource an explicit physical name (by resource type). */
const NAME_PROPERTIES: Readonly<Record<string, string>> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SQS::Queue': 'QueueName',
};

export const NAMING_CHECK_NAME = 'sample-app-physical-names';
export const NAMING_RULE = 'SAMPLE-EXPLICIT-PHYSICAL-NAME';

interface TemplateResources {
  readonly Resources?: Readonly<
    Record<string, { Type?: string; Properties?: Readonly<Record<string, unknown>> }>
  >;
}

/**
 * A policy validation plugin of the app itself: no resource may set its own physical name. The
 * Deploy state machine's CloudFormation execution role manages `<environmentName>-*` names only,
 * which CloudFormation generates from the stack name; an explicit name (and every later change of
 * it, a replacement) breaks that.
 *
 * CDK reports each validation plugin by name and `version` in the stacks' `AWS::CDK::Metadata`
 * (Analytics) and nowhere else in the templates: a new version of the plugin changes CDKMetadata
 * alone, which is what the `metadata-only` variant does.
 */
export class NamingCheck implements IPolicyValidationPlugin {
  readonly name = NAMING_CHECK_NAME;
  readonly ruleIds = [NAMING_RULE];

  constructor(readonly version: string) {
    if (!/^\d+\.\d+\.\d+$/.test(version)) {
      throw new Error(`naming check version is ${JSON.stringify(version)}; expected MAJOR.MINOR.PATCH`);
    }
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violating: PolicyViolatingResource[] = [];
    for (const templatePath of context.templatePaths) {
      const template = JSON.parse(readFileSync(templatePath, 'utf8')) as TemplateResources;
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
        const property = NAME_PROPERTIES[resource.Type ?? ''];
        if (property !== undefined && resource.Properties?.[property] !== undefined) {
          violating.push({
            resourceLogicalId: logicalId,
            templatePath,
            locations: [`Resources/${logicalId}/Properties/${property}`],
          });
        }
      }
    }
    return {
      success: violating.length === 0,
      pluginVersion: this.version,
      violations:
        violating.length === 0
          ? []
          : [
              {
                ruleName: NAMING_RULE,
                description:
                  'A resource sets its own physical name: leave it to CloudFormation, which names it after the stack (<environmentName>-…), the names the Deploy execution role may manage.',
                fix: 'Remove the name property.',
                violatingResources: violating,
              },
            ],
    };
  }
}
