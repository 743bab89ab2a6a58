/** Hover text for a field of `input` (through any variable bound to it) and for a builtin call. */
import type { BuiltinDoc } from '../compiler/regoTooling';
import type { PolicyInput } from '../model';
import { builtinMarkdown, fieldMarkdown } from './fieldDocs';
import { ELEMENT, fieldAt, FieldPath } from './inputFields';
import { analyzeModule, resolveRef } from './regoBindings';
import { dottedName, isInCommentOrString, refAt, stepAt } from './regoReferences';
import { scanRegoModule, TextRange } from './regoScanner';

export interface HoverRequest {
  source: string;
  line: number;
  column: number;
  builtins: readonly BuiltinDoc[];
  example?: PolicyInput;
}

export interface HoverAnswer {
  markdown: string;
  range: TextRange;
}

export function hoverAt(request: HoverRequest): HoverAnswer | undefined {
  const lineText = request.source.split('\n')[request.line] ?? '';
  if (isInCommentOrString(lineText, request.column)) return undefined;
  const ref = refAt(lineText, request.column);
  if (!ref) return undefined;
  const at = stepAt(ref, request.column);
  if (!at || at.step.bracket) return undefined;
  const range = { startLine: request.line, startColumn: at.step.start, endLine: request.line, endColumn: at.step.end };
  const upTo = ref.steps.slice(0, at.index + 1);

  const outline = scanRegoModule(request.source);
  const rule = outline.rules.find((candidate) => candidate.range.startLine <= request.line && request.line <= candidate.range.endLine);
  const bindings = (rule && analyzeModule(request.source, outline).rules.get(rule)) ?? new Map<string, FieldPath>();
  const bound = at.index === 0 ? bindings.get(at.step.text) : undefined;
  if (bound) return { markdown: variableMarkdown(at.step.text, bound), range };
  if (at.index > 0) {
    const refText = lineText.slice(ref.start, at.step.end);
    const path = resolveRef(refText, bindings);
    const field = path ? fieldAt(path) : undefined;
    if (field) return { markdown: fieldMarkdown(field, request.example), range };
  }

  // A builtin is a dotted name (`time.parse_rfc3339_ns`) or a plain one (`sprintf`), wherever the cursor is on it.
  const whole = dottedName(ref.steps);
  const candidates = [whole, dottedName(upTo)].filter((name): name is string => name !== undefined);
  for (const name of candidates) {
    const builtin = request.builtins.find((candidate) => candidate.name === name);
    if (builtin) {
      const first = ref.steps[0]!;
      const last = ref.steps[name.split('.').length - 1]!;
      return { markdown: builtinMarkdown(builtin), range: { startLine: request.line, startColumn: first.start, endLine: request.line, endColumn: last.end } };
    }
  }
  return undefined;
}

/** What a variable bound to a part of `input` holds: `input.users[_]` reads as one user row. */
function variableMarkdown(name: string, path: FieldPath): string {
  const written = `input${path.map((step) => (step === ELEMENT ? '[_]' : `.${step}`)).join('')}`;
  const isRow = path.length === 2 && path[0] === 'users' && path[1] === ELEMENT;
  return `\`${name}\`: \`${written}\`${isRow ? ', one row of the credential report (one user). Type `' + name + '.` for its columns.' : ''}`;
}
