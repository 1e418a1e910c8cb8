import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, functionPackageName } from '../src/index.js';

const appRoot = join(import.meta.dirname, '..');
const readManifest = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as {
    name?: string;
    nx?: { name?: string };
    dependencies?: Record<string, string>;
  };

describe('the task registry (Tasks of state-payloads) and the function packages', () => {
  it('GIVEN each task function WHEN its package is read THEN it is packages/functions/<name>, named after it, and a workspace dependency of this app', () => {
    const app = readManifest(join(appRoot, 'package.json'));
    for (const name of FUNCTION_NAMES) {
      const manifest = readManifest(join(appRoot, '..', '..', 'packages', 'functions', name, 'package.json'));
      expect(manifest.name, name).toBe(functionPackageName(name));
      expect(manifest.nx?.name, name).toBe(name);
      // A workspace dependency: Nx builds the bundle before synth, deploy and test.
      expect(app.dependencies?.[functionPackageName(name)], name).toBe('workspace:*');
    }
  });
});
