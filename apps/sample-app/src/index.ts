export { type CreateAppOptions, createApp, STACK_ID, TEMPLATE_FILE } from './app.js';
export { acknowledgeNagFindings } from './nag.js';
export {
  FUNCTION_CODE,
  isVariant,
  SampleAppStack,
  type SampleAppStackProps,
  VARIANT_SETTINGS,
  VARIANTS,
  type Variant,
  type VariantSettings,
} from './stack.js';
