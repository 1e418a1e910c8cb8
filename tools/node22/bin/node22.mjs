#!/usr/bin/env node
// node22 <command> [args…]: runs <command>, the command of the same name of a package that the
// current directory's package depends on (`node22 vitest run`), on the Node.js 22 that this
// package installs from the npm registry, instead of the Node.js running pnpm and Nx.
//
// The Node 22 binary is an optional dependency of this package only, one package per platform: its
// `node` command is linked into this package's node_modules/.bin and nowhere else, so it never
// shadows the toolchain's `node` in scripts and Nx targets. Set CFN_SAFE_DEPLOY_NODE22_OPTIONAL=1
// on a platform with no such package to skip instead of failing (never in CI).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const platform = `${process.platform}-${process.arch}`;
const binaryPackage = `node-${platform}`;
const [command, ...args] = process.argv.slice(2);

function fail(message) {
  process.stderr.write(`node22: ${message}\n`);
  process.exit(2);
}

if (command === undefined) fail('usage: node22 <command> [args…] (e.g. node22 vitest run)');

let nodeBinary;
try {
  const manifestPath = createRequire(import.meta.url).resolve(`${binaryPackage}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  nodeBinary = join(dirname(manifestPath), manifest.bin.node);
} catch {
  const supported = Object.keys(own.optionalDependencies).join(', ');
  const message = `no Node.js 22 for ${platform}: ${binaryPackage} is not installed (this package has ${supported})`;
  if (process.env.CFN_SAFE_DEPLOY_NODE22_OPTIONAL === '1' && process.env.CI !== 'true') {
    process.stderr.write(
      `node22: ${message}; skipping \`${command}\` as CFN_SAFE_DEPLOY_NODE22_OPTIONAL=1\n`,
    );
    process.exit(0);
  }
  fail(`${message}. Run \`pnpm install\`, or add your platform's package to tools/node22/package.json.`);
}

// The command: the bin of that name in the package.json of the dependency of the same name.
let script;
try {
  const requireHere = createRequire(join(process.cwd(), 'package.json'));
  const manifestPath = requireHere.resolve(`${command}/package.json`);
  const { bin } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const relative = typeof bin === 'string' ? bin : bin?.[command];
  if (typeof relative !== 'string') throw new Error(`${manifestPath} has no "bin" named ${command}`);
  script = resolve(dirname(manifestPath), relative);
} catch (error) {
  fail(
    `cannot find the command ${JSON.stringify(command)} from ${process.cwd()}: expected a dependency named ${command} with a bin of that name (${error.message})`,
  );
}

const major = own.optionalDependencies[binaryPackage].split('.')[0];
const result = spawnSync(nodeBinary, [script, ...args], {
  stdio: 'inherit',
  // Tests can check that they really run on the Node this asked for.
  env: { ...process.env, CFN_SAFE_DEPLOY_NODE_MAJOR: major },
});
if (result.error) fail(`could not start ${nodeBinary}: ${result.error.message}`);
process.exit(result.status ?? 1);
