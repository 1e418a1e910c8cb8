/** A workspace's projects and the dependencies between them, as the CI documentation needs them. */
export interface WorkspaceGraph {
  /** Project name → its folder (relative to the workspace root) and its target names, sorted. */
  readonly projects: Readonly<Record<string, { readonly root: string; readonly targets: readonly string[] }>>;
  /** Project name → the workspace projects it depends on (npm packages left out). */
  readonly dependencies: Readonly<Record<string, readonly string[]>>;
}

/** Project name → the projects that depend on it directly. */
export function dependentsOf(graph: WorkspaceGraph): Map<string, Set<string>> {
  const dependents = new Map<string, Set<string>>();
  for (const name of Object.keys(graph.projects)) dependents.set(name, new Set());
  for (const [source, targets] of Object.entries(graph.dependencies)) {
    for (const target of targets) dependents.get(target)?.add(source);
  }
  return dependents;
}

/**
 * The projects a change to `project` reaches: the project itself and every project that depends on
 * it, directly or through others. This is what `nx affected` runs when a file of `project` changes.
 */
export function reachedBy(graph: WorkspaceGraph, project: string): Set<string> {
  if (!(project in graph.projects)) {
    throw new Error(
      `project is "${project}"; expected one of ${Object.keys(graph.projects).sort().join(', ')}`,
    );
  }
  const dependents = dependentsOf(graph);
  const reached = new Set<string>([project]);
  const queue = [project];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const dependent of dependents.get(next) ?? []) {
      if (!reached.has(dependent)) {
        reached.add(dependent);
        queue.push(dependent);
      }
    }
  }
  return reached;
}

/**
 * `projects` ordered so that every project comes after the projects it depends on (directly or not),
 * ties broken by name: the order in which to deploy several apps.
 */
export function dependencyOrder(graph: WorkspaceGraph, projects: Iterable<string>): string[] {
  const wanted = new Set(projects);
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): void => {
    if (done.has(name)) return;
    if (visiting.has(name)) throw new Error(`the dependencies of "${name}" form a cycle; expected none`);
    visiting.add(name);
    for (const dependency of [...(graph.dependencies[name] ?? [])].sort()) visit(dependency);
    visiting.delete(name);
    done.add(name);
    if (wanted.has(name)) ordered.push(name);
  };
  for (const name of [...wanted].sort()) visit(name);
  return ordered;
}

/**
 * The dependencies that break "no project of `group` depends on another one of `group`" (the rule
 * that keeps every function package alone: the tests that chain them live in tools/function-flows),
 * as `source → target`, sorted.
 */
export function dependenciesWithin(graph: WorkspaceGraph, group: ReadonlySet<string>): string[] {
  return Object.entries(graph.dependencies)
    .filter(([source]) => group.has(source))
    .flatMap(([source, targets]) => targets.filter((t) => group.has(t)).map((t) => `${source} → ${t}`))
    .sort();
}
