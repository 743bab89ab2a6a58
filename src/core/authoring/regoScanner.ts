/**
 * A line-based scanner for the parts of a Rego module the editor needs without a full parse: the package, the imports,
 * and each rule/function/test head with its range. It works on half-typed code (the parser does not), and it runs in
 * microseconds per keystroke.
 *
 * How: comments and string contents are first blanked out (same length, same lines), so braces in strings or comments
 * never count. Then a statement at bracket depth 0 that starts a line is a rule head (`name ...`, `default name ...`);
 * `else` continues the previous rule. Limits (said, not hidden): a head split over lines outside brackets is read from
 * its first line only; a rule whose body never closes its brace (the usual state while typing) ends where a line at
 * column 0 looks like a head again (a name at column 0 followed by `if`, `:=`, `=`, `contains`, `{` or `[`). A body
 * written unindented at column 0 in that state may be misread as heads.
 */

export interface TextRange {
  /** 0-based line and UTF-16 column; end is exclusive. */
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export type RegoSymbolKind = 'rule' | 'function' | 'test';

export interface RegoRuleSymbol {
  name: string;
  kind: RegoSymbolKind;
  /** `default name := ...` */
  isDefault: boolean;
  /** The whole definition: head through the closing brace of its last `else` body. */
  range: TextRange;
  /** The name in the head. */
  nameRange: TextRange;
  /** The head as written, up to its body, e.g. `deny contains result if` or `f(u, key) := x if`. */
  head: string;
  /** Parameter names of a function (`f(u, key)`); only plain variable parameters. */
  params: string[];
}

export interface RegoImport {
  /** e.g. `data.credcheck.lib` */
  path: string;
  /** The name it is used by in the module: the alias, or the last segment. */
  alias: string;
  line: number;
}

export interface RegoModuleOutline {
  package?: { name: string; range: TextRange };
  imports: RegoImport[];
  rules: RegoRuleSymbol[];
}

/**
 * The source with every comment and the contents of every string replaced by spaces (quotes kept), so offsets, lines and
 * columns stay those of the original.
 */
export function maskCommentsAndStrings(source: string): string {
  const out = source.split('');
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    if (char === '#') {
      while (index < source.length && source[index] !== '\n') out[index++] = ' ';
    } else if (char === '"') {
      index++;
      while (index < source.length && source[index] !== '"' && source[index] !== '\n') {
        if (source[index] === '\\' && index + 1 < source.length && source[index + 1] !== '\n') out[index++] = ' ';
        out[index++] = ' ';
      }
      index++;
    } else if (char === '`') {
      index++;
      while (index < source.length && source[index] !== '`') {
        if (source[index] !== '\n') out[index] = ' ';
        index++;
      }
      index++;
    } else {
      index++;
    }
  }
  return out.join('');
}

const KEYWORDS = new Set(['package', 'import', 'else', 'some', 'every', 'not', 'with', 'as', 'in', 'if', 'contains', 'default', 'true', 'false', 'null']);
const HEAD = /^(default\s+)?([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\s*\(([^)]*)\)?)?/;
/** What follows a rule head's name: how a line at column 0 inside an unclosed body is told to be a new rule. */
const HEAD_CONTINUATION = /^(default\s+)?[A-Za-z_][\w.]*\s*(\([^)]*\)\s*)?(if\b|:=|=[^=]|contains\b|\{|\[|$)/;

export function scanRegoModule(source: string): RegoModuleOutline {
  const masked = maskCommentsAndStrings(source);
  const lines = masked.split('\n');
  const originalLines = source.split('\n');
  const outline: RegoModuleOutline = { imports: [], rules: [] };
  let depth = 0;
  let open: RegoRuleSymbol | undefined;
  let lastContentLine = -1;

  const close = (rule: RegoRuleSymbol | undefined, line: number) => {
    if (!rule) return;
    const end = Math.max(rule.range.startLine, line);
    rule.range.endLine = end;
    rule.range.endColumn = lines[end]?.trimEnd().length ?? 0;
  };

  for (let line = 0; line < lines.length; line++) {
    const text = lines[line]!;
    const trimmed = text.trim();
    if (trimmed === '') continue;
    const atColumnZero = !/^\s/.test(text);
    // Inside an unclosed body (while typing), a head-looking line at column 0 starts the next rule: formatted bodies
    // are indented, and masked multi-line strings start with blanks.
    const reopens = depth !== 0 && atColumnZero && HEAD_CONTINUATION.test(text) && !/^(input|data|some|every|not|else)\b/.test(text);
    const statementStart = depth === 0 || reopens;
    if (statementStart && !/^else\b/.test(trimmed) && !/^[}\])]/.test(trimmed)) {
      if (reopens) depth = 0;
      const packageMatch = /^package\s+([A-Za-z_][\w.]*)/.exec(trimmed);
      const importMatch = /^import\s+([A-Za-z_][\w.]*)(?:\s+as\s+([A-Za-z_]\w*))?/.exec(trimmed);
      if (packageMatch) {
        close(open, lastContentLine);
        open = undefined;
        const column = text.indexOf('package');
        outline.package = { name: packageMatch[1]!, range: { startLine: line, startColumn: column, endLine: line, endColumn: column + packageMatch[0].length } };
      } else if (importMatch) {
        close(open, lastContentLine);
        open = undefined;
        const path = importMatch[1]!;
        outline.imports.push({ path, alias: importMatch[2] ?? path.split('.').pop()!, line });
      } else {
        const head = HEAD.exec(trimmed);
        if (head && !KEYWORDS.has(head[2]!)) {
          close(open, lastContentLine);
          const indent = text.length - text.trimStart().length;
          const nameColumn = indent + (head[1]?.length ?? 0);
          const name = head[2]! + (head[3] ?? '');
          const isFunction = head[4] !== undefined;
          open = {
            name,
            kind: /^test_/.test(head[2]!) ? 'test' : isFunction ? 'function' : 'rule',
            isDefault: head[1] !== undefined,
            range: { startLine: line, startColumn: indent, endLine: line, endColumn: text.trimEnd().length },
            nameRange: { startLine: line, startColumn: nameColumn, endLine: line, endColumn: nameColumn + name.length },
            // The original text (strings as written) up to where the masked line ends (no trailing comment).
            head: headText((originalLines[line] ?? '').slice(0, text.trimEnd().length)),
            params: isFunction ? parameterNames(head[5] ?? '') : [],
          };
          outline.rules.push(open);
        }
      }
    }
    for (const char of text) {
      if (char === '{' || char === '[' || char === '(') depth++;
      else if ((char === '}' || char === ']' || char === ')') && depth > 0) depth--;
    }
    lastContentLine = line;
  }
  close(open, lastContentLine);
  return outline;
}

function headText(line: string): string {
  return line.trim().replace(/\{\s*$/, '').trimEnd();
}

function parameterNames(list: string): string[] {
  return list
    .split(',')
    .map((param) => param.trim())
    .filter((param) => /^[A-Za-z_]\w*$/.test(param));
}

/** The rule whose definition contains `line` (0-based), if any. */
export function ruleAtLine(outline: RegoModuleOutline, line: number): RegoRuleSymbol | undefined {
  return outline.rules.find((rule) => rule.range.startLine <= line && line <= rule.range.endLine);
}

/** The text of `range` in `source`. */
export function textOfRange(source: string, range: TextRange): string {
  const lines = source.split('\n');
  if (range.startLine === range.endLine) return (lines[range.startLine] ?? '').slice(range.startColumn, range.endColumn);
  const parts = [(lines[range.startLine] ?? '').slice(range.startColumn)];
  for (let line = range.startLine + 1; line < range.endLine; line++) parts.push(lines[line] ?? '');
  parts.push((lines[range.endLine] ?? '').slice(0, range.endColumn));
  return parts.join('\n');
}
