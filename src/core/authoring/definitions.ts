/**
 * Go to definition of rules, functions and packages across the workspace's Rego modules: a name of the same package
 * (in any file of that package), `alias.rule` through an import, or a `data.pkg.rule` reference written out.
 */
import { dottedName, isInCommentOrString, refAt, stepAt } from './regoReferences';
import { RegoModuleOutline, TextRange } from './regoScanner';

export interface IndexedModule {
  /** Whatever identifies the file to the caller (a URI string). */
  id: string;
  outline: RegoModuleOutline;
}

export interface DefinitionLocation {
  id: string;
  range: TextRange;
}

export function findDefinitions(source: string, current: IndexedModule, line: number, column: number, workspace: readonly IndexedModule[]): DefinitionLocation[] {
  const lineText = source.split('\n')[line] ?? '';
  if (isInCommentOrString(lineText, column)) return [];
  const ref = refAt(lineText, column);
  const at = ref && stepAt(ref, column);
  if (!ref || !at) return [];
  const name = dottedName(ref.steps.slice(0, at.index + 1));
  if (!name) return [];
  const [head, ...rest] = name.split('.');
  const ownPackage = current.outline.package?.name;

  if (head === 'data') return lookupDataPath(rest, workspace);
  const imported = current.outline.imports.find((entry) => entry.alias === head && entry.path.startsWith('data.'));
  if (imported) return lookupDataPath([...imported.path.split('.').slice(1), ...rest], workspace);
  if (!ownPackage) return [];
  // A rule of the module's own package: `name`, or a ref head `a.b` (Rego v1) written with dots.
  return rulesNamed(ownPackage, name, workspace);
}

function rulesNamed(packageName: string, name: string, workspace: readonly IndexedModule[]): DefinitionLocation[] {
  return workspace
    .filter((module) => module.outline.package?.name === packageName)
    .flatMap((module) => module.outline.rules.filter((rule) => rule.name === name || rule.name.startsWith(`${name}.`)).map((rule) => ({ id: module.id, range: rule.nameRange })));
}

/** `credcheck.lib.days` -> the rule `days` of package `credcheck.lib`, or the package itself when the path names one. */
function lookupDataPath(segments: string[], workspace: readonly IndexedModule[]): DefinitionLocation[] {
  for (let split = segments.length; split >= 1; split--) {
    const packageName = segments.slice(0, split).join('.');
    const modules = workspace.filter((module) => module.outline.package?.name === packageName);
    if (modules.length === 0) continue;
    if (split === segments.length) return modules.map((module) => ({ id: module.id, range: module.outline.package!.range }));
    return rulesNamed(packageName, segments[split]!, workspace);
  }
  return [];
}
