#!/usr/bin/env node
// The `changeset-policy` command. This file is committed, not built, so that installing the package
// (or a workspace that depends on it) can link the command before anything is compiled; the CLI
// itself is the compiled dist/cli.js.
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
try {
  await import(cli.href);
} catch (error) {
  const path = fileURLToPath(cli);
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(path)) throw error;
  process.stderr.write(
    `changeset-policy: ${path} does not exist: build the package first (pnpm nx run changeset-policy:build)\n`,
  );
  process.exitCode = 2;
}
