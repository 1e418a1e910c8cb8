export {
  ASSEMBLY_DIR,
  CLI_DEFAULT_CONTEXT,
  type CreateAppOptions,
  createApp,
  DATA_STACK_ID,
  DEFAULT_ENVIRONMENT_NAME,
  type SampleApp,
  SERVICE_STACK_ID,
  stackNamesFor,
  templateFileOf,
} from './app.js';
export {
  type AssemblyStack,
  type SampleAssembly,
  type SynthesizeOptions,
  synthesizeSampleAssembly,
} from './assembly.js';
export { SampleDataStack, type SampleDataStackProps } from './data-stack.js';
export { functionCodeDir } from './function-code.js';
export { acknowledgeNagFindings } from './nag.js';
export { NAMING_CHECK_NAME, NAMING_RULE, NamingCheck } from './naming-check.js';
export { SampleServiceStack, type SampleServiceStackProps } from './service-stack.js';
export {
  checkedVariant,
  type FunctionBuild,
  isVariant,
  LIFE_CYCLE,
  VARIANT_SETTINGS,
  VARIANTS,
  type Variant,
  type VariantSettings,
} from './variants.js';
