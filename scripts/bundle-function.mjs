// Bundles a task Lambda: src/handler.ts of the package in the current directory → dist/index.mjs
// (ESM, Node 22, minified, AWS SDK v3 bundled and tree-shaken, linked source map, metafile).
// Usage (a function package's `build` script): node ../../../scripts/bundle-function.mjs
// Options (for a package that needs a second build of the same source, such as apps/sample-function):
//   --outdir=DIR            write to DIR (relative to the package) instead of dist
//   --build-env=NAME=VALUE  replace process.env.NAME by the string VALUE in the bundle (repeatable)
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const root = resolve(args.find((arg) => !arg.startsWith('--')) ?? process.cwd());
const entry = join(root, 'src', 'handler.ts');

function fail(message) {
  console.error(`bundle-function: ${message}`);
  process.exit(2);
}

const outdirArgs = args.filter((arg) => arg.startsWith('--outdir='));
if (outdirArgs.length > 1) fail(`--outdir is given ${outdirArgs.length} times; expected at most once`);
const outdirName = outdirArgs[0]?.slice('--outdir='.length) ?? 'dist';
if (!/^[A-Za-z0-9][\w.-]*$/.test(outdirName)) {
  fail(
    `--outdir is ${JSON.stringify(outdirName)}; expected a folder name of the package (letters, digits, ., _, -)`,
  );
}
const outdir = join(root, outdirName);

/** `--build-env=NAME=VALUE`: process.env.NAME becomes the string literal VALUE in the bundle. */
const buildEnv = {};
for (const arg of args.filter((a) => a.startsWith('--build-env='))) {
  const match = /^--build-env=([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
  if (match === null) fail(`${JSON.stringify(arg)} is not --build-env=NAME=VALUE (NAME a variable name)`);
  buildEnv[`process.env.${match[1]}`] = JSON.stringify(match[2]);
}
const outfile = join(outdir, 'index.mjs');

try {
  statSync(entry);
} catch {
  fail(`${entry} does not exist (run this from a function package)`);
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
 * The one transformation of AWS SDK code that stays, as no esbuild option does it (the other size
 * steps choose modules; this one edits one). An AWS SDK client describes every operation and shape
 * of its service in dist-es/schemas as top-level arrays such as
 * `[3, n0, _GOR, 0, [...], [[0, { [_hH]: _IM }], …]]`. The computed keys (`[_hH]`, a string
 * constant `const _hH = "httpHeader";` of the same file) make esbuild treat each array as possibly
 * having side effects, so it keeps all of them: ~480 unused S3 shapes (~55 KB) in every bundle with
 * an S3 client. Writing those keys as the string literals they stand for changes nothing at run
 * time and lets esbuild drop the shapes no bundled command references.
 *
 * It fails the build, rather than silently doing nothing, when the SDK's layout is not the one it
 * knows: a schema file with no string constants, a computed key naming no constant of its file, or
 * a bundled client whose schemas were not found where they are expected.
 */
const SDK_SCHEMA_FILE = /[\\/]@aws-sdk[\\/](client-[^\\/]+)[\\/]dist-es[\\/]schemas[\\/][^\\/]+\.js$/;
const SDK_CLIENT_MODULE = /[\\/]@aws-sdk[\\/](client-[^\\/]+)[\\/]dist-es[\\/]/;
const schemaLayoutChanged = (what) =>
  `${what}: the AWS SDK's schema layout is not the one the sdk-schema-literal-keys plugin of ` +
  'scripts/bundle-function.mjs knows (see docs/lambda-bundles.md); update the plugin to the new layout';

function rewriteSchemaKeys(text, path) {
  const constants = new Map();
  for (const [, name, literal] of text.matchAll(/^const (_\w+) = ("(?:[^"\\]|\\.)*");$/gm)) {
    constants.set(name, literal);
  }
  if (constants.size === 0) throw new Error(schemaLayoutChanged(`${path} declares no string constants`));
  return text.replace(/\[(_\w+)\]:/g, (_match, name) => {
    const literal = constants.get(name);
    if (literal === undefined) {
      throw new Error(
        schemaLayoutChanged(`${path} has a computed key [${name}] that is no constant of its own`),
      );
    }
    return `${literal}:`;
  });
}

const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(b) {
    const rewrittenClients = new Set();
    b.onStart(() => rewrittenClients.clear());
    b.onLoad({ filter: SDK_SCHEMA_FILE }, (args) => {
      const contents = rewriteSchemaKeys(readFileSync(args.path, 'utf8'), args.path);
      rewrittenClients.add(SDK_SCHEMA_FILE.exec(args.path)?.[1]);
      return { contents, loader: 'js', resolveDir: dirname(args.path) };
    });
    b.onEnd((result) => {
      const clients = new Set(
        Object.keys(result.metafile?.inputs ?? {})
          .map((input) => SDK_CLIENT_MODULE.exec(input)?.[1])
          .filter((client) => client !== undefined),
      );
      const missed = [...clients].filter((client) => !rewrittenClients.has(client));
      if (missed.length === 0) return undefined;
      return {
        errors: [
          {
            text: schemaLayoutChanged(
              `no dist-es/schemas/*.js file was bundled for @aws-sdk/${missed.join(', ')}`,
            ),
          },
        ],
      };
    });
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

/**
 * @aws-cdk/cdk-assets-lib's index re-exports `DefaultAwsClient` (lib/aws.js), which loads the ECR,
 * Secrets Manager and STS clients, the whole credential-provider chain and @aws-sdk/lib-storage for
 * a workstation's profile. publish-assets gives the library its own IAws and never uses it: the
 * package's entry becomes its index without that one module (publishing, manifest, progress; the
 * types of aws.js are types only).
 */
const cdkAssetsWithoutDefaultClient = {
  name: 'cdk-assets-lib-without-default-client',
  setup(b) {
    b.onResolve({ filter: /^@aws-cdk\/cdk-assets-lib$/ }, (args) => {
      const require = createRequire(join(args.resolveDir, 'package.json'));
      const lib = dirname(require.resolve('@aws-cdk/cdk-assets-lib'));
      return { path: args.path, namespace: 'cdk-assets-lib', pluginData: { lib } };
    });
    b.onLoad({ filter: /.*/, namespace: 'cdk-assets-lib' }, (args) => ({
      contents: ['publishing', 'asset-manifest', 'progress']
        .map((module) => `export * from ${JSON.stringify(join(args.pluginData.lib, `${module}.js`))};`)
        .join('\n'),
      resolveDir: args.pluginData.lib,
      loader: 'js',
    }));
  },
};

const plugins = [
  nodeBuiltinsDirect,
  zodEnglishOnly,
  sdkSchemaLiteralKeys,
  sdkPackageVersionOnly,
  noEventStreams,
  cdkAssetsWithoutDefaultClient,
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
  // The SDK's documented switch for its "Node older than 22" warning: the bundle targets node22
  // (Lambda nodejs22.x), where the check never fires; defined, the check and its text fold away.
  define: { 'process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED': '"true"', ...buildEnv },
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
