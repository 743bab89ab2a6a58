/**
 * Entrypoints are per rule (`<package>/<rule>`), but the policy contract reads a package's document: this groups the
 * rule entrypoints of a wasm module back per package. Packages are not entrypoints themselves because OPA's wasm
 * planner cannot plan a package whose functions call other functions of the same package (open-policy-agent/opa#4411).
 */

/** The conftest rule vocabulary the compiler makes entrypoints of: deny/violation/warn/info/skip(_suffix), exception. */
export const DECISION_RULE = /^((deny|violation|warn|info|skip)(_\w+)?|exception)$/;

/** One evaluated document: a package (assembled from its rule entrypoints) or any other entrypoint on its own. */
export interface EntrypointGroup {
  /** The package path (slash form), or the entrypoint itself when it is not a decision rule. */
  document: string;
  /** Rule name to wasm entrypoint; undefined when the document is a single entrypoint (a query, a package entrypoint). */
  rules?: Map<string, string>;
}

/** The package a rule entrypoint belongs to, or undefined when the entrypoint is not `<package>/<decision rule>`. */
export function packageOfRule(entrypoint: string): string | undefined {
  const slash = entrypoint.lastIndexOf('/');
  return slash > 0 && DECISION_RULE.test(entrypoint.slice(slash + 1)) ? entrypoint.slice(0, slash) : undefined;
}

/** Groups entrypoints per document, in first-seen order. */
export function groupEntrypoints(entrypoints: readonly string[]): Map<string, EntrypointGroup> {
  const groups = new Map<string, EntrypointGroup>();
  for (const entrypoint of entrypoints) {
    const pkg = packageOfRule(entrypoint);
    if (pkg === undefined) {
      groups.set(entrypoint, { document: entrypoint });
      continue;
    }
    let group = groups.get(pkg);
    if (!group?.rules) {
      group = { document: pkg, rules: new Map() };
      groups.set(pkg, group);
    }
    group.rules!.set(entrypoint.slice(pkg.length + 1), entrypoint);
  }
  return groups;
}
