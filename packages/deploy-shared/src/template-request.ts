import type { TemplateSource } from '@cfn-safe-deploy/state-payloads';

/** How CreateStack and CreateChangeSet take a template. */
export type TemplateRequestFields = { TemplateBody: string } | { TemplateURL: string };

/** The request fields for the template Load Template put in the state (no S3 call: it is staged already). */
export function templateRequestFields(template: TemplateSource): TemplateRequestFields {
  return 'body' in template ? { TemplateBody: template.body } : { TemplateURL: template.url };
}
