/**
 * Completion for Rego policies over the credential report: what may follow `input.`, a variable bound to a row, an
 * imported package or a builtin namespace, and at the start of a term the builtins and the module's own rules.
 */
import type { BuiltinDoc } from '../compiler/regoTooling';
import type { PolicyInput } from '../model';
import { builtinMarkdown, fieldMarkdown } from './fieldDocs';
import { fieldsAt, rootFields } from './inputFields';
import { analyzeModule, resolveRef } from './regoBindings';
import { isInCommentOrString, REF_SOURCE } from './regoReferences';
import { RegoRuleSymbol, scanRegoModule } from './regoScanner';

export type CompletionKind = 'field' | 'builtin' | 'rule' | 'function' | 'keyword' | 'package';

export interface AuthoringCompletion {
  label: string;
  kind: CompletionKind;
  /** One line: the type, the signature, the rule head. */
  detail: string;
  /** Markdown. */
  documentation: string;
}

export interface CompletionRequest {
  source: string;
  /** 0-based. */
  line: number;
  column: number;
  builtins: readonly BuiltinDoc[];
  /** Rules of the other packages of the workspace, by package name (for `lib.` after `import data.credcheck.lib`). */
  packages?: ReadonlyMap<string, readonly RegoRuleSymbol[]>;
  /** The open report's input, for example values. */
  example?: PolicyInput;
}

export interface CompletionAnswer {
  items: AuthoringCompletion[];
  /** Column where the word being completed starts (what the items replace). */
  replaceFrom: number;
}

const AFTER_DOT = new RegExp(String.raw`(${REF_SOURCE})\.([A-Za-z0-9_]*)$`);

export function completeAt(request: CompletionRequest): CompletionAnswer {
  const lineText = request.source.split('\n')[request.line] ?? '';
  const prefix = lineText.slice(0, request.column);
  if (isInCommentOrString(lineText, request.column)) return { items: [], replaceFrom: request.column };
  const outline = scanRegoModule(request.source);
  const dotted = AFTER_DOT.exec(prefix);
  if (dotted && !/[\w.]$/.test(prefix.slice(0, dotted.index))) {
    const ref = dotted[1]!;
    const replaceFrom = request.column - dotted[2]!.length;
    const analysis = analyzeModule(request.source, outline);
    const rule = outline.rules.find((candidate) => candidate.range.startLine <= request.line && request.line <= candidate.range.endLine);
    const bindings = (rule && analysis.rules.get(rule)) ?? new Map();
    const path = resolveRef(ref, bindings);
    if (path) {
      return {
        replaceFrom,
        items: fieldsAt(path).map((field) => ({ label: field.name, kind: 'field', detail: field.type, documentation: fieldMarkdown(field, request.example) })),
      };
    }
    const packageName = importedPackage(ref, outline.imports);
    const rules = packageName ? request.packages?.get(packageName) : undefined;
    if (rules) return { replaceFrom, items: ruleItems(rules) };
    const namespace = `${ref}.`;
    return {
      replaceFrom,
      items: request.builtins
        .filter((builtin) => builtin.name.startsWith(namespace))
        .map((builtin) => ({ label: builtin.name.slice(namespace.length), kind: 'builtin', detail: builtin.signature, documentation: builtinMarkdown(builtin) })),
    };
  }
  const word = /[A-Za-z0-9_]*$/.exec(prefix)![0];
  const replaceFrom = request.column - word.length;
  const items: AuthoringCompletion[] = [
    { label: 'input', kind: 'keyword', detail: 'the credential report being evaluated', documentation: rootFields().map((field) => `- \`input.${field.name}\` \`${field.type}\``).join('\n') },
    ...ruleItems(outline.rules.filter((rule) => rule.kind !== 'test')),
    ...outline.imports.map((entry): AuthoringCompletion => ({ label: entry.alias, kind: 'package', detail: `import ${entry.path}`, documentation: '' })),
    ...request.builtins.map((builtin): AuthoringCompletion => ({ label: builtin.name, kind: 'builtin', detail: builtin.signature, documentation: builtinMarkdown(builtin) })),
  ];
  return { replaceFrom, items: unique(items) };
}

/** `lib` with `import data.credcheck.lib` -> `credcheck.lib`; also `data.x.y` written out. */
function importedPackage(ref: string, imports: readonly { path: string; alias: string }[]): string | undefined {
  if (ref.startsWith('data.')) return ref.slice('data.'.length);
  const [head, ...rest] = ref.split('.');
  const entry = imports.find((candidate) => candidate.alias === head && candidate.path.startsWith('data.'));
  return entry ? [entry.path.slice('data.'.length), ...rest].join('.') : undefined;
}

function ruleItems(rules: readonly RegoRuleSymbol[]): AuthoringCompletion[] {
  return rules.map((rule) => ({
    label: rule.name,
    kind: rule.kind === 'function' ? 'function' : 'rule',
    detail: rule.head,
    documentation: '```rego\n' + rule.head + '\n```',
  }));
}

/** One item per label and kind (a rule defined incrementally has several heads). */
function unique(items: AuthoringCompletion[]): AuthoringCompletion[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.kind}:${item.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
