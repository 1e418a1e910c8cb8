// Bundles a task Lambda: src/handler.ts of the package in the current directory → dist/index.mjs
// (ESM, Node 22, minified, AWS SDK v3 bundled and tree-shaken, linked source map, metafile).
// Usage (a function package's `build` script): node ../../../scripts/bundle-function.mjs
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
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
      // The path names the module only (it ends up in the source map): where it lives goes aside.
      return { path: args.path, namespace: 'env-credentials', pluginData: { resolveDir: dirname(real) } };
    });
    b.onLoad({ filter: /.*/, namespace: 'env-credentials' }, (args) => ({
      contents:
        "import { fromEnv } from '@aws-sdk/credential-provider-env';\n" +
        'export const defaultProvider = (init = {}) => fromEnv(init);\n',
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

/**
 * A one-file bundle has no chunks to load later, so `await import('@aws-sdk/…')` in a workspace
 * library defers nothing; but esbuild must then wrap the imported package and everything it
 * imports in lazy-init closures whose exports are all kept: one such import in changeset-policy's
 * reader put the whole CloudFormation client (every command, the aggregated client, the waiters) in
 * every bundle. Importing the same names statically lets esbuild tree-shake them like any other
 * import (and drop them where the function that uses them is dead).
 */
const staticSdkImports = {
  name: 'static-sdk-imports',
  setup(b) {
    const dynamicImport = /const \{ ([\w$, ]+) \} = await import\('(@aws-sdk\/[\w-]+)'\);/g;
    b.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/].+\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes("await import('@aws-sdk/")) return undefined;
      const hoisted = [];
      const rewritten = text.replace(dynamicImport, (_match, names, specifier) => {
        const list = names.split(',').map((name) => name.trim());
        const local = (name) => `__static_${hoisted.length}_${name}`;
        const assigned = `const { ${list.join(', ')} } = { ${list.map((name) => `${name}: ${local(name)}`).join(', ')} };`;
        hoisted.push(
          `import { ${list.map((name) => `${name} as ${local(name)}`).join(', ')} } from '${specifier}';`,
        );
        return assigned;
      });
      return {
        contents: `${hoisted.join('\n')}\n${rewritten}`,
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/**
 * Event streams (S3 SelectObjectContent, Bedrock or Transcribe streaming, …) need the event-stream
 * codec of @smithy/core: an S3 client builds its marshaller when it is created, and the protocols
 * load the serde with `import()` when such an operation is called. None of the operations these
 * functions call has an event-stream member (CloudFormation has none at all; S3 GetObject and
 * PutObject, Step Functions and CodePipeline calls neither), so both are replaced by stand-ins that
 * throw a clear error if one ever were called. Bundled, the codec costs ~10 KB, and the `import()`
 * alone would wrap half of @smithy/core in lazy-init closures (see above).
 */
const noEventStreams = {
  name: 'no-event-streams',
  setup(b) {
    b.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, (args) => {
      if (args.kind === 'dynamic-import') return { path: 'serde', namespace: 'no-event-streams' };
      if (/[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]runtimeConfig\.js$/.test(args.importer)) {
        return { path: 'marshaller', namespace: 'no-event-streams' };
      }
      return undefined;
    });
    const message = JSON.stringify(
      'bundle-function: event streams are not bundled, as no operation of this function uses them',
    );
    b.onLoad({ filter: /^serde$/, namespace: 'no-event-streams' }, () => ({
      contents: `throw new Error(${message});`,
      loader: 'js',
    }));
    b.onLoad({ filter: /^marshaller$/, namespace: 'no-event-streams' }, () => ({
      contents:
        `const unavailable = () => { throw new Error(${message}); };\n` +
        'export const eventStreamSerdeProvider = () => ({ serialize: unavailable, deserialize: unavailable });\n',
      loader: 'js',
    }));
  },
};

/**
 * An AWS SDK client describes every operation and shape of its service in dist-es/schemas as
 * top-level arrays such as `[3, n0, _GOR, 0, [...], [[0, { [_hH]: _IM }], …]]`. The computed keys
 * (`[_hH]`, a string constant of the same file) make esbuild treat each array as possibly having
 * side effects, so it keeps all of them: ~480 unused S3 shapes (~55 KB) in every bundle with an S3
 * client. Writing those keys as the string literals they stand for changes nothing at run time and
 * lets esbuild drop the shapes no bundled command references.
 */
const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(b) {
    b.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/][^\\/]+\.js$/ },
      (args) => {
        const text = readFileSync(args.path, 'utf8');
        const constants = new Map();
        for (const [, name, literal] of text.matchAll(/^const (_\w+) = ("(?:[^"\\]|\\.)*");$/gm)) {
          constants.set(name, literal);
        }
        const contents = text.replace(/\[(_\w+)\]:/g, (match, name) =>
          constants.has(name) ? `${constants.get(name)}:` : match,
        );
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      },
    );
  },
};

/**
 * Each SDK client imports its whole package.json for one field, the version it puts in the
 * User-Agent header: bundle that field only (~2 KB per client).
 */
const sdkPackageVersionOnly = {
  name: 'sdk-package-version-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, (args) => {
      const { version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: `export default { version: ${JSON.stringify(version)} };`, loader: 'js' };
    });
  },
};

/**
 * The SDK warns once per process when Node is older than 22. The bundle targets node22 (Lambda
 * nodejs22.x), where the check never fires; on an older Node it would only print that warning, at
 * a cost (process.emitWarning builds an Error and writes to stderr) in every cold start.
 */
const noNodeVersionWarning = {
  name: 'no-node-version-warning',
  setup(b) {
    b.onLoad(
      {
        filter:
          /[\\/]@aws-sdk[\\/]core[\\/]dist-es[\\/]submodules[\\/]client[\\/]emitWarningIfUnsupportedVersion\.js$/,
      },
      () => ({
        contents:
          'export const state = { warningEmitted: true };\nexport const emitWarningIfUnsupportedVersion = () => {};\n',
        loader: 'js',
      }),
    );
  },
};

/**
 * `import { x } from 'node:fs'` in an ES module makes Node build a facade module for the builtin,
 * which reads every export of it, getters included: for `node:process` that creates the report
 * and finalization modules, for `node:fs` the promises API with readline, for `node:http` (Node 22)
 * the whole bundled undici. The bundle takes each builtin with `process.getBuiltinModule` instead
 * (Node 20.16+, 22.3+: every Lambda runtime this project targets) and reads only the exports it
 * uses; the builtins themselves still load when the bundle loads, as before.
 */
const nodeBuiltinsDirect = {
  name: 'node-builtins-direct',
  setup(b) {
    const builtins = new Set(builtinModules);
    b.onResolve({ filter: /^(node:)?[a-z_][a-z0-9_/]*$/ }, (args) => {
      if (args.path === '__get') return undefined;
      const id = args.path.replace(/^node:/, '');
      if (!builtins.has(id) || args.namespace === 'node-builtin') return undefined;
      return { path: id, namespace: 'node-builtin' };
    });
    b.onResolve({ filter: /^__get$/ }, () => ({ path: '__get', namespace: 'node-builtin' }));
    b.onLoad({ filter: /^__get$/, namespace: 'node-builtin' }, () => ({
      contents:
        'export const getBuiltin = (id) => {\n' +
        "  if (typeof process.getBuiltinModule !== 'function') throw new Error('This bundle needs Node.js 20.16 or newer (process.getBuiltinModule) to load ' + id);\n" +
        '  return process.getBuiltinModule(id);\n' +
        '};\n' +
        'export const pick = (m, k) => m[k];\n' +
        // A function or class behind a lazy getter (fs.ReadStream loads the file-stream and promise
        // APIs, crypto.getRandomValues Web Crypto): stands in for it and reads the getter the first
        // time it is used (a call, `new`, `instanceof`, a property).
        'export const lazyFunction = (m, k) => {\n' +
        '  let target;\n' +
        '  const real = () => (target ??= m[k]);\n' +
        '  const stand = new Proxy(function () {}, {\n' +
        '    get: (_, p) => Reflect.get(real(), p),\n' +
        '    has: (_, p) => Reflect.has(real(), p),\n' +
        '    apply: (_, self, args) => Reflect.apply(real(), self, args),\n' +
        '    construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget === stand ? real() : newTarget),\n' +
        '    getPrototypeOf: () => Reflect.getPrototypeOf(real()),\n' +
        '  });\n' +
        '  return stand;\n' +
        '};\n',
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => {
      if (args.path === 'fs/promises') {
        // Only the SDK's shared-config reader imports it (readFile); the promise API module also
        // loads readline, directory and watcher support. The callback API is loaded at start.
        return {
          contents:
            "import { getBuiltin } from '__get';\n" +
            "const fs = getBuiltin('node:fs');\n" +
            'export const readFile = (path, options) =>\n' +
            '  new Promise((resolve, reject) => fs.readFile(path, options, (error, data) => (error ? reject(error) : resolve(data))));\n',
          loader: 'js',
        };
      }
      const require = createRequire(import.meta.url);
      const real = require(`node:${args.path}`);
      // Export names may be any identifier name (`export { _1 as delete }` is valid); `default` is
      // the module itself.
      const names = Object.keys(real).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
      const behindGetter = (name) =>
        typeof Object.getOwnPropertyDescriptor(real, name)?.get === 'function' &&
        typeof real[name] === 'function';
      const lines = [
        "import { getBuiltin, lazyFunction, pick } from '__get';",
        `const m = getBuiltin(${JSON.stringify(`node:${args.path}`)});`,
        'export default m;',
        ...names.map(
          (name, i) =>
            `const _${i} = /* @__PURE__ */ ${behindGetter(name) ? 'lazyFunction' : 'pick'}(m, ${JSON.stringify(name)});`,
        ),
        `export { ${names.map((name, i) => `_${i} as ${name}`).join(', ')} };`,
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

const plugins = [
  nodeBuiltinsDirect,
  zodEnglishOnly,
  noNodeVersionWarning,
  sdkSchemaLiteralKeys,
  sdkPackageVersionOnly,
  staticSdkImports,
  noEventStreams,
  ...(process.argv.includes('--full-credential-chain') ? [] : [envCredentialsOnly]),
];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const options = {
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
  metafile: true,
  plugins,
  logLevel: 'warning',
};
let result = await build(options);
// Builtins reach CommonJS dependencies through the plugin above; a require() of anything else
// would throw at run time in an ES module, unless the bundle makes a require function.
if (readFileSync(outfile, 'utf8').includes('Dynamic require of "')) {
  result = await build({
    ...options,
    banner: {
      js: "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);",
    },
  });
}

writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));

// The source map keeps the text only of the modules that exist nowhere on disk (this script's
// stand-ins, such as the `node-builtin:` ones): with `--enable-source-maps` Node parses the whole
// map when the bundle loads, and the text of every bundled file (4/5 of the map) would add ~20 ms
// to that. Stack traces need the mappings only; a debugger reads the other files from disk.
const mapPath = `${outfile}.map`;
const map = JSON.parse(readFileSync(mapPath, 'utf8'));
map.sourcesContent = map.sources.map((source, index) =>
  /^[a-z][\w-]*:/.test(source) ? (map.sourcesContent?.[index] ?? null) : null,
);
writeFileSync(mapPath, JSON.stringify(map));
const bytes = statSync(outfile).size;
console.log(
  `bundle-function: ${relative(process.cwd(), outfile) || outfile} ${(bytes / 1024).toFixed(1)} KiB`,
);
