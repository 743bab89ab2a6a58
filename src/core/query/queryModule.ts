/**
 * Turns the text a user typed as a query into a Rego module the compiler accepts, and maps compiler locations in that
 * module back into the text the user typed (the wrapper must never show through in an error).
 */

/** The file name compile errors carry for a query: the CLI prints `<query>:line:column: message`. */
export const QUERY_FILE = '<query>';

const QUERY_PACKAGE = 'credcheck.query';

/**
 * - `expression`: one Rego term (`[u.user | some u in input.users; u.mfa_active == false]`), possibly over several lines;
 *   it becomes `result := <expression>`.
 * - `rules`: rule definitions without a package (helper functions plus a `result` rule); a package line is put on top.
 * - `module`: a complete module with its own package; its `result` rule is the answer.
 */
export type QueryMode = 'expression' | 'rules' | 'module';

export interface QueryModule {
  mode: QueryMode;
  /** The module source handed to the compiler. */
  source: string;
  /** Lines of the user's text: a location past them is in the appended rule and is shown on the last line. */
  lineCount: number;
  /** Slash path of the wasm entrypoint: the `result` rule, with a set sorted (see ORDERED_RESULT). */
  entrypoint: string;
}

const PACKAGE_LINE = /^\s*package\s+([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*(?:#.*)?$/m;

/**
 * The first line of the query starts a rule: `default x`, `import x`, `name :=`, `name if`, `name contains`, `name =`,
 * `name(args) :=|if|=|{`, `name[key] :=|if|=|{`, `name {`. An expression at column 0 starts with a term that is followed
 * by an operator, a dot or nothing, so these shapes do not match it (`count(input.users) > 2`, `input.users[0]`).
 */
const RULE_START = /^\s*(?:default\s|import\s|[A-Za-z_]\w*\s*(?:\([^)]*\)|\[[^\]]*\])?\s*(?::=|=(?!=)|\{|if\b|contains\b))/;

/** Decides how the query text is wrapped. The text itself is never changed, so lines and columns stay the user's. */
export function buildQueryModule(text: string): QueryModule {
  const lineCount = text.split('\n').length;
  const packageMatch = PACKAGE_LINE.exec(stripComments(text));
  if (packageMatch) {
    return { mode: 'module', lineCount, source: `${text}\n${ORDERED_RESULT_RULE}`, entrypoint: `${packageMatch[1]!.replace(/\./g, '/')}/${ORDERED_RESULT}` };
  }
  const entrypoint = `${QUERY_PACKAGE.replace(/\./g, '/')}/${ORDERED_RESULT}`;
  const firstLine = stripComments(text).split('\n').find((line) => line.trim() !== '') ?? '';
  if (RULE_START.test(firstLine)) {
    return { mode: 'rules', lineCount, source: `package ${QUERY_PACKAGE}\n${text}\n${ORDERED_RESULT_RULE}`, entrypoint };
  }
  // The expression starts on the wrapper's last line, so only line 1 of the query is shifted sideways. The newline
  // after it keeps a final `# comment` in the query from swallowing anything.
  return { mode: 'expression', lineCount, source: `package ${QUERY_PACKAGE}\n${EXPRESSION_PREFIX}${text}\n${ORDERED_RESULT_RULE}`, entrypoint };
}

/**
 * The entrypoint is not `result` itself but `result` with a set sorted: a set comes out of the wasm in hash order,
 * which would reshuffle the table on every keystroke and differ from `opa eval` (which sorts). The rule is appended
 * after the user's text, so it moves no line of it.
 */
const ORDERED_RESULT = 'credcheck_ordered_result';
// object.get hides the type of `result` from the type checker, which would otherwise reject sort() of a number.
const ORDERED_RESULT_RULE = `${ORDERED_RESULT} := sort(value) if {\n\tvalue := object.get({"v": result}, "v", null)\n\tis_set(value)\n} else := result\n`;

const EXPRESSION_PREFIX = 'result := ';

/**
 * Maps a 1-based line and UTF-16 column of the compiled module to the query text. Locations inside the wrapper (a
 * column 0 "unknown", or the wrapper's own lines) become line 1, column 1 of the query.
 */
export function mapToQuery(module: QueryModule, line: number, column: number): { line: number; column: number } {
  const queryLine = module.mode === 'module' ? line : line - 1;
  if (queryLine > module.lineCount) return { line: module.lineCount, column: 1 };
  if (module.mode === 'module') return { line, column };
  if (queryLine < 1) return { line: 1, column: 1 };
  if (module.mode === 'expression' && queryLine === 1) {
    return { line: 1, column: Math.max(1, column - EXPRESSION_PREFIX.length) };
  }
  return { line: queryLine, column: Math.max(1, column) };
}

/** Blanks out `#` comments (outside strings) so that a commented-out rule or package line does not change the mode. */
function stripComments(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let inString = false;
      for (let i = 0; i < line.length; i++) {
        const char = line[i];
        if (inString && char === '\\') {
          i++;
        } else if (char === '"') {
          inString = !inString;
        } else if (char === '`' && !inString) {
          const end = line.indexOf('`', i + 1);
          if (end < 0) return line;
          i = end;
        } else if (char === '#' && !inString) {
          return line.slice(0, i);
        }
      }
      return line;
    })
    .join('\n');
}
