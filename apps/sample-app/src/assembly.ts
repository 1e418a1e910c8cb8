import { isAbsolute, join, relative } from 'node:path';
import { createApp } from './app.js';
import { isVariant, VARIANTS, type Variant } from './variants.js';

/** One stack of a synthesized assembly, in the manifest's dependency order. */
export interface AssemblyStack {
  /** The artifact id (`SampleData`, `SampleService`). */
  readonly artifactId: string;
  /** The name the stack is deployed under (the manifest's `stackName`). */
  readonly stackName: string;
  /** The template, relative to the assembly's folder. */
  readonly templateFile: string;
  /** The artifact ids of the stacks this one depends on. */
  readonly dependencies: readonly string[];
}

export interface SampleAssembly {
  /** The absolute path of the cloud assembly (manifest.json, templates, *.assets.json, asset.<hash>/). */
  readonly outdir: string;
  /** The stacks, dependencies first. */
  readonly stacks: readonly AssemblyStack[];
}

export interface SynthesizeOptions {
  /** @default 'prod' */
  readonly environmentName?: string;
}

/**
 * Writes the full cloud assembly of one variant to `outdir` (as `cdk synth` would: the same
 * context defaults), without cdk-nag and CloudFormation's built-in validation, which change no
 * template and cost seconds. For the demo and the tests.
 */
export async function synthesizeSampleAssembly(
  variant: Variant,
  outdir: string,
  options: SynthesizeOptions = {},
): Promise<SampleAssembly> {
  if (!isVariant(variant)) {
    throw new Error(`variant is ${JSON.stringify(variant)}; expected one of ${VARIANTS.join(', ')}`);
  }
  if (typeof outdir !== 'string' || outdir === '') {
    throw new Error(`outdir is ${JSON.stringify(outdir)}; expected the folder to write the assembly to`);
  }
  const absolute = isAbsolute(outdir) ? outdir : join(process.cwd(), outdir);
  const { app } = createApp({
    variant,
    nag: false,
    ...(options.environmentName === undefined ? {} : { environmentName: options.environmentName }),
    appProps: { outdir: absolute, builtinCloudFormationValidation: false },
  });
  const assembly = app.synth();
  const stacks = assembly.stacksRecursively.map((stack) => ({
    artifactId: stack.id,
    stackName: stack.stackName,
    templateFile: relative(assembly.directory, stack.templateFullPath),
    dependencies: stack.dependencies
      .filter((dependency) => assembly.stacksRecursively.some((other) => other.id === dependency.id))
      .map((dependency) => dependency.id),
  }));
  return { outdir: assembly.directory, stacks };
}
