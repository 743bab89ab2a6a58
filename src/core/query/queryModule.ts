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
  /** Slash path of the `result` rule, the wasm entrypoint. */
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
  const packageMatch = PACKAGE_LINE.exec(stripComments(text));
  if (packageMatch) {
    return { mode: 'module', source: text, entrypoint: `${packageMatch[1]!.replace(/\./g, '/')}/result` };
  }
  const entrypoint = `${QUERY_PACKAGE.replace(/\./g, '/')}/result`;
  const firstLine = stripComments(text).split('\n').find((line) => line.trim() !== '') ?? '';
  if (RULE_START.test(firstLine)) {
    return { mode: 'rules', source: `package ${QUERY_PACKAGE}\n${text}\n`, entrypoint };
  }
  // The expression starts on the wrapper's last line, so only line 1 of the query is shifted sideways. The trailing
  // newline keeps a final `# comment` in the query from swallowing anything.
  return { mode: 'expression', source: `package ${QUERY_PACKAGE}\n${EXPRESSION_PREFIX}${text}\n`, entrypoint };
}

const EXPRESSION_PREFIX = 'result := ';

/**
 * Maps a 1-based line and UTF-16 column of the compiled module to the query text. Locations inside the wrapper (a
 * column 0 "unknown", or the wrapper's own lines) become line 1, column 1 of the query.
 */
export function mapToQuery(module: QueryModule, line: number, column: number): { line: number; column: number } {
  if (module.mode === 'module') return { line, column };
  const queryLine = line - 1;
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
