import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { WorkspaceGraph } from '../../src/graph.js';

interface Manifest {
  name?: string;
  nx?: { name?: string; targets?: Record<string, unknown> };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** The package folders that pnpm-workspace.yaml names (patterns `dir` and `dir/*`). */
function packageFolders(root: string): string[] {
  const { packages = [] } = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as {
    packages?: string[];
  };
  const folders = packages.flatMap((pattern) => {
    if (pattern.startsWith('!')) return [];
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    try {
      return readdirSync(join(root, parent)).map((entry) => `${parent}/${entry}`);
    } catch {
      return [];
    }
  });
  return folders.filter((folder) => {
    try {
      return statSync(join(root, folder, 'package.json')).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * The workspace's dependency graph as the package.json files declare it — `workspace:` dependencies
 * of every kind — independently of Nx. Project names are Nx's: `nx.name`, else the package name.
 */
export function manifestGraph(root: string): WorkspaceGraph & { deployable: string[] } {
  const manifests = new Map<string, { folder: string; manifest: Manifest }>();
  for (const folder of packageFolders(root)) {
    const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')) as Manifest;
    if (manifest.name !== undefined) manifests.set(manifest.name, { folder, manifest });
  }
  const projectName = (packageName: string): string =>
    manifests.get(packageName)?.manifest.nx?.name ?? packageName;
  const projects: Record<string, { root: string; targets: string[] }> = {};
  const dependencies: Record<string, string[]> = {};
  const deployable: string[] = [];
  for (const [packageName, { folder, manifest }] of manifests) {
    const name = projectName(packageName);
    const targets = [
      ...new Set([...Object.keys(manifest.scripts ?? {}), ...Object.keys(manifest.nx?.targets ?? {})]),
    ];
    projects[name] = { root: folder, targets: targets.sort() };
    if (targets.includes('deploy')) deployable.push(name);
    const declared = {
      ...manifest.dependencies,
      ...manifest.devDependencies,
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
    };
    dependencies[name] = Object.entries(declared)
      .filter(([dependency, range]) => range.startsWith('workspace:') && manifests.has(dependency))
      .map(([dependency]) => projectName(dependency))
      .sort();
  }
  return { projects, dependencies, deployable: deployable.sort() };
}
