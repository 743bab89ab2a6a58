/**
 * Which variables of a rule hold a part of `input` (above all: a row of `input.users`), found statically so completion
 * and hover can offer the row's columns after `u.`.
 *
 * Covered, anywhere in the rule's definition (Rego variables are scoped to the rule, and order does not matter):
 * - `some u in <ref>`, `some i, u in <ref>`, `every u in <ref>`, `every i, u in <ref>` (u is an element of the array);
 * - `u := <ref>`, `u = <ref>` (u is what the ref is: `input.users[_]`, `input.users[i]`, `users[0]`, `input.report`);
 * - chains of them (`users := input.users` then `some u in users`), in any order;
 * - function parameters: `f(u)` called as `f(user)` (or `f(input.users[_])`) where the argument resolves, from any rule
 *   of the same module, through chains of functions; a parameter fed different shapes by different calls is left out.
 * Not covered: calls across modules (`lib.f(u)` from another file), parameters that are patterns (`f({"a": x})`),
 * `input["users"]` with a string key (string contents are blanked before matching), comprehension-local shadowing
 * (a name bound to a row in one comprehension counts for the whole rule), and `with input as ...` replacements.
 */
import { ELEMENT, FieldPath, isArrayPath, isKnownPath } from './inputFields';
import { parseRef, REF_SOURCE } from './regoReferences';
import { maskCommentsAndStrings, RegoModuleOutline, RegoRuleSymbol, scanRegoModule, textOfRange } from './regoScanner';

export type Bindings = ReadonlyMap<string, FieldPath>;

/** The path in `input` a reference denotes, given the variables bound so far; undefined when it is not in `input`. */
export function resolveRef(ref: string, bindings: Bindings): FieldPath | undefined {
  const steps = parseRef(ref.replace(/\s+/g, ''));
  const head = steps[0];
  if (!head) return undefined;
  let path: FieldPath;
  if (head.text === 'input') path = [];
  else if (bindings.has(head.text)) path = bindings.get(head.text)!;
  else return undefined;
  for (const step of steps.slice(1)) {
    if (step.bracket) {
      const literal = /^"([^"]*)"$/.exec(step.text);
      if (isArrayPath(path)) path = [...path, ELEMENT];
      else if (literal) path = [...path, literal[1]!];
      else return undefined;
    } else {
      path = [...path, step.text];
    }
    if (!isKnownPath(path)) return undefined;
  }
  return path;
}

const SOME_IN = new RegExp(String.raw`\b(?:some|every)\s+(?:([A-Za-z_]\w*)\s*,\s*)?([A-Za-z_]\w*)\s+in\s+(${REF_SOURCE})`, 'g');
const ASSIGN = new RegExp(String.raw`(?<![\w.\]=!<>:])([A-Za-z_]\w*)\s*(?::=|=(?!=))\s*(${REF_SOURCE})(?!\s*\()`, 'g');

/** Adds the bindings that `body` (masked text) makes, on top of `initial`, until nothing changes. */
export function bindingsOf(body: string, initial: Bindings = new Map()): Map<string, FieldPath> {
  const bindings = new Map(initial);
  for (let pass = 0; pass < 5; pass++) {
    const before = bindings.size;
    for (const match of body.matchAll(SOME_IN)) {
      const path = resolveRef(match[3]!, bindings);
      if (path && isArrayPath(path) && !bindings.has(match[2]!)) bindings.set(match[2]!, [...path, ELEMENT]);
    }
    for (const match of body.matchAll(ASSIGN)) {
      const path = resolveRef(match[2]!, bindings);
      if (path && !bindings.has(match[1]!) && match[1] !== 'input') bindings.set(match[1]!, path);
    }
    if (bindings.size === before) break;
  }
  return bindings;
}

/** Splits `a, f(b, c), [d, e]` at its top-level commas. */
function splitArguments(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if ('([{'.includes(char)) depth++;
    if (')]}'.includes(char)) depth--;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += char;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** The text inside the parentheses that open at `open` in `text`, or undefined when they do not close. */
function parenthesised(text: string, open: number): string | undefined {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '(') depth++;
    else if (text[index] === ')' && --depth === 0) return text.slice(open + 1, index);
  }
  return undefined;
}

export interface ModuleBindings {
  outline: RegoModuleOutline;
  /** Bindings of each rule definition (same order as outline.rules). */
  rules: Map<RegoRuleSymbol, Map<string, FieldPath>>;
}

/** Bindings of every rule of a module, function parameters included. */
export function analyzeModule(source: string, outline: RegoModuleOutline = scanRegoModule(source)): ModuleBindings {
  const masked = maskCommentsAndStrings(source);
  const bodies = new Map(outline.rules.map((rule) => [rule, textOfRange(masked, rule.range)]));
  const functions = outline.rules.filter((rule) => rule.kind === 'function' && rule.params.length > 0);
  const functionNames = new Set(functions.map((rule) => rule.name));
  // Parameter name -> path per function name; null marks "fed different shapes".
  const params = new Map<string, Map<number, FieldPath | null>>();
  let rules = new Map<RegoRuleSymbol, Map<string, FieldPath>>();

  for (let pass = 0; pass < 4; pass++) {
    rules = new Map();
    for (const rule of outline.rules) {
      const initial = new Map<string, FieldPath>();
      if (rule.kind === 'function') {
        const fed = params.get(rule.name);
        rule.params.forEach((param, index) => {
          const path = fed?.get(index);
          if (path) initial.set(param, path);
        });
      }
      rules.set(rule, bindingsOf(bodies.get(rule)!, initial));
    }
    let changed = false;
    for (const rule of outline.rules) {
      const body = bodies.get(rule)!;
      const bindings = rules.get(rule)!;
      for (const match of body.matchAll(/(?<![\w.])([A-Za-z_]\w*)\s*\(/g)) {
        const name = match[1]!;
        // The head of a function definition is not a call of it.
        if (!functionNames.has(name) || (match.index === 0 && rule.kind === 'function' && rule.name === name)) continue;
        const inside = parenthesised(body, match.index + match[0].length - 1);
        if (inside === undefined) continue;
        const fed = params.get(name) ?? new Map<number, FieldPath | null>();
        splitArguments(inside).forEach((argument, index) => {
          const path = new RegExp(`^${REF_SOURCE}$`).test(argument) ? resolveRef(argument, bindings) : undefined;
          if (!path) return;
          const known = fed.get(index);
          if (known === undefined) {
            fed.set(index, path);
            changed = true;
          } else if (known !== null && known.join('.') !== path.join('.')) {
            fed.set(index, null);
            changed = true;
          }
        });
        params.set(name, fed);
      }
    }
    if (!changed) break;
  }
  return { outline, rules };
}

/** The bindings in force at a 0-based line: those of the rule definition containing it (none outside rules). */
export function bindingsAtLine(analysis: ModuleBindings, line: number): Map<string, FieldPath> {
  const rule = analysis.outline.rules.find((candidate) => candidate.range.startLine <= line && line <= candidate.range.endLine);
  return (rule && analysis.rules.get(rule)) ?? new Map();
}
