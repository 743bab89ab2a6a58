/**
 * Turning the compiler's located problems into editor ranges and messages, and the "did you mean" fix: which
 * characters to replace with the suggestion.
 */
import { distance as editDistance } from 'fastest-levenshtein';
import type { RegoDiagnostic } from '../compiler/regoTooling';
import { TextRange } from './regoScanner';

/**
 * The 0-based range of a diagnostic: its own end when the compiler gave one, else the word at its start, else the rest
 * of the line. A problem with no line (0) goes on the first line rather than nowhere.
 */
export function diagnosticRange(diagnostic: RegoDiagnostic, source: string): TextRange {
  const lines = source.split('\n');
  const line = Math.max(0, Math.min(lines.length - 1, diagnostic.line - 1));
  const text = lines[line] ?? '';
  const column = Math.max(0, Math.min(text.length, diagnostic.column - 1));
  if (diagnostic.endLine !== undefined && diagnostic.endColumn !== undefined && diagnostic.line > 0) {
    const endLine = Math.max(line, Math.min(lines.length - 1, diagnostic.endLine - 1));
    const endColumn = Math.max(0, diagnostic.endColumn - 1);
    if (endLine > line || endColumn > column) return { startLine: line, startColumn: column, endLine, endColumn };
  }
  if (diagnostic.line <= 0 || diagnostic.column <= 0) {
    const indent = text.length - text.trimStart().length;
    return { startLine: line, startColumn: indent, endLine: line, endColumn: Math.max(indent + 1, text.trimEnd().length) };
  }
  const word = /^[A-Za-z0-9_.]+/.exec(text.slice(column))?.[0];
  return { startLine: line, startColumn: column, endLine: line, endColumn: column + Math.max(1, word?.length ?? 1) };
}

/** The message with the suggestions said, unless the compiler already says them. */
export function diagnosticMessage(diagnostic: RegoDiagnostic): string {
  const suggestions = diagnostic.suggestions ?? [];
  if (suggestions.length === 0 || suggestions.every((suggestion) => diagnostic.message.includes(suggestion))) return diagnostic.message;
  const list = suggestions.slice(0, 3).join(', ');
  return `${diagnostic.message} (did you mean ${list}?)`;
}

/** The identifier in `text` (starting at `offset`) closest to `suggestion`: what the quick fix replaces. */
export function misspelledName(text: string, suggestion: string): { start: number; end: number } | undefined {
  let best: { start: number; end: number; distance: number } | undefined;
  for (const match of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const distance = editDistance(match[0], suggestion);
    if (!best || distance < best.distance || (distance === best.distance && match.index > best.start)) {
      best = { start: match.index, end: match.index + match[0].length, distance };
    }
  }
  return best && best.distance > 0 ? { start: best.start, end: best.end } : undefined;
}

/**
 * The misspelled name itself, for a diagnostic with a suggestion: looked for in the diagnostic's range first, then on its
 * whole first line (a compiler may point at the start of the expression, `not u.mfa_actve`). Undefined when nothing
 * there is close enough to the suggestion to be its misspelling.
 */
export function misspelledRange(source: string, range: TextRange, suggestion: string): TextRange | undefined {
  const line = source.split('\n')[range.startLine] ?? '';
  const closeEnough = Math.max(2, Math.floor(suggestion.length / 3));
  const inRange = range.endLine === range.startLine ? line.slice(range.startColumn, range.endColumn) : line.slice(range.startColumn);
  for (const [text, offset] of [[inRange, range.startColumn], [line, 0]] as const) {
    const name = misspelledName(text, suggestion);
    if (name && editDistance(text.slice(name.start, name.end), suggestion) <= closeEnough) {
      return { startLine: range.startLine, startColumn: offset + name.start, endLine: range.startLine, endColumn: offset + name.end };
    }
  }
  return undefined;
}
