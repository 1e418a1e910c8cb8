// Bundles a task Lambda: src/handler.ts of the package in the current directory → dist/index.mjs
// (ESM, Node 22, minified, AWS SDK v3 bundled and tree-shaken, linked source map, metafile).
// Usage (a function package's `build` script): node ../../../scripts/bundle-function.mjs
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? process.cwd());
const entry = join(root, 'src', 'handler.ts');
const outdir = join(root, 'dist');
const outfile = join(outdir, 'index.mjs');

try {
  statSync(entry);
} catch {
  console.error(`bundle-function: ${entry} does not exist (run this from a function package)`);
  process.exit(2);
}

/**
 * zod's `z.locales` namespace drags every translation of its error messages into the bundle
 * (~260 KB minified) although only English is ever configured: keep English only.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /zod[\\/]v4[\\/](classic|core|mini)[\\/][^\\/]+\.js$/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * In Lambda the function's credentials are always in its environment (AWS_ACCESS_KEY_ID, …), so the
 * default provider chain (SSO, ini files, IMDS, STS web identity, … ~90 KB with their nested
 * clients) is replaced by the environment provider alone. Pass --full-credential-chain to keep it.
 */
const envCredentialsOnly = {
  name: 'env-credentials-only',
  setup(b) {
    b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => {
      const require = createRequire(join(args.resolveDir, 'package.json'));
      const real = require.resolve('@aws-sdk/credential-provider-node');
      return { path: real, namespace: 'env-credentials' };
    });
    b.onLoad({ filter: /.*/, namespace: 'env-credentials' }, (args) => ({
      contents:
        "import { fromEnv } from '@aws-sdk/credential-provider-env';\n" +
        'export const defaultProvider = (init = {}) => fromEnv(init);\n',
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
const plugins = process.argv.includes('--full-credential-chain')
  ? [zodEnglishOnly]
  : [zodEnglishOnly, envCredentialsOnly];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  mainFields: ['module', 'main'],
  // CommonJS dependencies call require(); ESM output has none unless we make one.
  banner: {
    js: "import { createRequire as __cfnSafeDeployCreateRequire } from 'node:module'; const require = __cfnSafeDeployCreateRequire(import.meta.url);",
  },
  metafile: true,
  plugins,
  logLevel: 'warning',
});

writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
const bytes = statSync(outfile).size;
console.log(
  `bundle-function: ${relative(process.cwd(), outfile) || outfile} ${(bytes / 1024).toFixed(1)} KiB`,
);
