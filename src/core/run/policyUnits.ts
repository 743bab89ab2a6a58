/**
 * Workspace policies split into units that are compiled and evaluated on their own, so one broken or runaway policy
 * file never hides another's findings (issue 13, point 5).
 *
 * A unit is a package that defines decision rules (every file declaring it: Rego merges them), plus the packages it
 * references through `data.<package>` (libraries, transitively). Only the libraries a unit references are included,
 * not all of them: a broken library then breaks only the policies that use it, and an unrelated edit to a library
 * recompiles only the units that use it. When a unit refers to `data` as a whole (`data[x]`, `x := data`), which
 * packages it reads cannot be known from its text, so every library is included: a missing package would make its
 * references undefined, a silent pass. A library no unit uses is still compiled on its own, so its errors are shown.
 *
 * The split reads the sources with a few patterns, not a parser: it must work on a half-typed file, and the compiler
 * stays the judge (a unit's entrypoints are those the compiler finds in the unit's own packages).
 */
import { RegoModule } from '../compiler/regoCompiler';

export interface PolicyUnit {
  /** Identifies the unit across edits: its own files, sorted. */
  key: string;
  /** The files the unit stands for: problems of the unit as a whole are reported on the first. */
  ownFiles: string[];
  /** Packages (dot form) whose decision rules this unit evaluates; empty for a file without a readable package. */
  packages: string[];
  /** Every module to compile together: own files first, then the libraries and other packages it references. */
  modules: RegoModule[];
  /** False for a library no unit uses: compiled only for its errors (unless the compiler finds decision rules in it). */
  decides: boolean;
}

/** Same vocabulary as ruleEntrypoints.ts DECISION_RULE, as a rule head at the start of a line (not a function). */
const DECISION_HEAD = /^(?:default\s+)?(?:(?:deny|violation|warn|info|skip)(?:_\w+)?|exception)\b(?!\s*\()/m;
const PACKAGE_LINE = /^[ \t]*package[ \t]+([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/m;
const DATA_REFERENCE = /\bdata\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)/g;
/** `data` not followed by `.name`: a reference to the whole document or a computed path. */
const WHOLE_DATA = /\bdata\b(?!\s*\.\s*[A-Za-z_])/;

export function isPolicyTestFile(file: string): boolean {
  return file.endsWith('_test.rego');
}

interface ModuleFacts {
  module: RegoModule;
  package?: string;
  decides: boolean;
  references: string[];
  readsAllData: boolean;
}

function factsOf(module: RegoModule): ModuleFacts {
  // Comments are dropped first so a commented-out rule or reference changes nothing; `#` inside strings is rare.
  const code = module.source.replace(/#.*$/gm, '');
  const references = [...code.matchAll(DATA_REFERENCE)].map((match) => match[1]!);
  const withoutPackageLine = code.replace(PACKAGE_LINE, '');
  return {
    module,
    package: PACKAGE_LINE.exec(code)?.[1],
    decides: DECISION_HEAD.test(code),
    references,
    readsAllData: WHOLE_DATA.test(withoutPackageLine),
  };
}

/** Whether a `data.` reference can read package `pkg`: the reference is the package, inside it, or above it. */
function reaches(reference: string, pkg: string): boolean {
  return reference === pkg || reference.startsWith(`${pkg}.`) || pkg.startsWith(`${reference}.`);
}

/** The units of a set of policy files, in the order their first file was given. Test files are left out. */
export function splitPolicyUnits(modules: readonly RegoModule[]): PolicyUnit[] {
  const facts = modules.filter((module) => !isPolicyTestFile(module.file)).map(factsOf);
  const byPackage = new Map<string, ModuleFacts[]>();
  const units: { own: ModuleFacts[]; packages: string[]; decides: boolean }[] = [];
  for (const fact of facts) {
    if (fact.package === undefined) {
      // No readable package (being typed): its own unit, so the compiler reports it on this file.
      units.push({ own: [fact], packages: [], decides: fact.decides });
      continue;
    }
    const files = byPackage.get(fact.package);
    if (files) files.push(fact);
    else byPackage.set(fact.package, [fact]);
  }
  const libraries = new Map<string, ModuleFacts[]>();
  for (const [pkg, files] of byPackage) {
    if (files.some((file) => file.decides)) units.push({ own: files, packages: [pkg], decides: true });
    else libraries.set(pkg, files);
  }
  const used = new Set<string>();
  const result = units.map((unit) => {
    const included = new Set<string>(unit.packages);
    const modulesOfUnit = unit.own.map((fact) => fact.module);
    const pending = [...unit.own];
    while (pending.length > 0) {
      const fact = pending.pop()!;
      const candidates = fact.readsAllData ? [...byPackage.keys()] : [...byPackage.keys()].filter((pkg) => fact.references.some((reference) => reaches(reference, pkg)));
      for (const pkg of candidates) {
        if (included.has(pkg)) continue;
        included.add(pkg);
        if (libraries.has(pkg)) used.add(pkg);
        for (const dependency of byPackage.get(pkg)!) {
          modulesOfUnit.push(dependency.module);
          pending.push(dependency);
        }
      }
    }
    return makeUnit(unit.own, unit.packages, modulesOfUnit, unit.decides);
  });
  for (const [pkg, files] of libraries) {
    if (!used.has(pkg)) result.push(makeUnit(files, [pkg], files.map((fact) => fact.module), false));
  }
  const order = new Map(facts.map((fact, index) => [fact.module.file, index]));
  return result.sort((a, b) => order.get(a.ownFiles[0]!)! - order.get(b.ownFiles[0]!)!);
}

function makeUnit(own: ModuleFacts[], packages: string[], modules: RegoModule[], decides: boolean): PolicyUnit {
  const ownFiles = own.map((fact) => fact.module.file);
  return { key: JSON.stringify([...ownFiles].sort()), ownFiles, packages, modules, decides };
}
