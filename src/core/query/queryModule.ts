/**
 * Turns the text a user typed as a query into a Rego module the compiler accepts, and maps compiler locations in that
 * module back into the text the user typed (the wrapper must never show through in an error).
 */
import { QueryBody, readQueryBody } from './queryBody';

/** The file name compile errors carry for a query: the CLI prints `<query>:line:column: message`. */
export const QUERY_FILE = '<query>';

const QUERY_PACKAGE = 'credcheck.query';

/**
 * - `body`: what `opa eval` takes: one or more expressions separated by `;` or new lines (`input.users[_].user`,
 *   `some u in input.users; u.mfa_active == false`); its answer is a set of rows (see queryBody.ts).
 * - `rules`: rule definitions without a package (helper functions plus a `result` rule); a package line is put on top.
 * - `module`: a complete module with its own package; its `result` rule is the answer.
 */
export type QueryMode = 'body' | 'rules' | 'module';

export interface QueryModule {
  mode: QueryMode;
  /** The module source handed to the compiler. */
  source: string;
  /** Lines of the user's text: a location past them is in the appended rule and is shown on the last line. */
  lineCount: number;
  /** Slash path of the wasm entrypoint. */
  entrypoint: string;
  /** For a body: its expressions and variables, in the order the entrypoint's rows hold their values. */
  body?: QueryBody;
  /** For a body: text put into the user's lines (captures), by user line, in column order. */
  insertions: Map<number, { column: number; length: number }[]>;
  /** For a body: the module cut right after the query text (see QueryBody.incomplete). */
  sourceUpToQueryEnd?: string;
}

export interface QueryModuleOptions {
  /**
   * Expressions (by index) not to capture: calls with an output argument (`count(x, n)`), which OPA does not capture
   * either; the compiler says which ones (an arity mismatch once captured).
   */
  uncaptured?: ReadonlySet<number>;
}

const PACKAGE_LINE = /^\s*package\s+([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*(?:#.*)?$/m;

/**
 * A line that can only start a rule, never an expression of a body: `default x`, `import x`, `f(args) :=|if|{`,
 * `f(args) = ... if`, `name[key] :=|if|contains|{`, `name if`, `name contains x`, `name {`. (`name := ...`,
 * `name = ...` and `count(x) = n` are expressions of a body too, as `opa eval` reads them.)
 */
const RULE_ONLY_HEAD =
  /^\s*(?:default\s|import\s|[A-Za-z_]\w*\s*\([^)]*\)\s*(?::=|\{|if\b|=(?!=).*\bif\b)|[A-Za-z_]\w*\s*\[[^\]]*\]\s*(?::=|\{|if\b|contains\b)|[A-Za-z_]\w*\s*(?:\{|if\b|contains\b(?!\s*\()))/;
/** Our own convention: a query that starts by defining `result` is made of rules, and `result` is its answer. */
const RESULT_RULE = /^\s*result\s*(?::=|=(?!=)|\{|if\b|contains\b)/;

/** Decides how the query text is wrapped. Lines of the text are never moved, so lines stay the user's. */
export function buildQueryModule(text: string, options: QueryModuleOptions = {}): QueryModule {
  const lineCount = text.split('\n').length;
  const insertions = new Map<number, { column: number; length: number }[]>();
  const stripped = stripComments(text);
  const packageMatch = PACKAGE_LINE.exec(stripped);
  if (packageMatch) {
    return { mode: 'module', lineCount, insertions, source: `${text}\n${ORDERED_RESULT_RULE}`, entrypoint: `${packageMatch[1]!.replace(/\./g, '/')}/${ORDERED_RESULT}` };
  }
  const lines = stripped.split('\n');
  const firstLine = lines.find((line) => line.trim() !== '') ?? '';
  if (RESULT_RULE.test(firstLine) || lines.some((line) => RULE_ONLY_HEAD.test(line))) {
    return { mode: 'rules', lineCount, insertions, source: `package ${QUERY_PACKAGE}\n${text}\n${ORDERED_RESULT_RULE}`, entrypoint: `${QUERY_PACKAGE_PATH}/${ORDERED_RESULT}` };
  }
  return buildBodyModule(text, lineCount, options.uncaptured ?? new Set());
}

/**
 * A body becomes `ROWS := [[<bindings>, <captures>] | <body>]`, with the body on lines of its own (line 1 of the query
 * is line 3 of the module). An expression with a value of its own gets `credcheck_value_<n> := ` in front of it, as OPA's
 * rewriteQueryToCaptureValue does; when OPA would check those values (more than one expression, or iteration), the
 * captures are tested after the body, so a `false` fails the row.
 */
function buildBodyModule(text: string, lineCount: number, uncaptured: ReadonlySet<number>): QueryModule {
  const read = readQueryBody(text);
  const body = { ...read, expressions: read.expressions.map((expression, index) => (uncaptured.has(index) ? { ...expression, captured: false } : expression)) };
  const insertions = new Map<number, { column: number; length: number }[]>();
  let source = text;
  // From the last expression to the first, so earlier offsets stay valid.
  const captured = body.expressions.map((expression, index) => ({ expression, name: `${CAPTURE}${index}` })).filter(({ expression }) => expression.captured);
  for (const { expression, name } of [...captured].reverse()) {
    const prefix = `${name} := `;
    source = source.slice(0, expression.start) + prefix + source.slice(expression.start);
    const lineStart = text.lastIndexOf('\n', expression.start - 1) + 1;
    const line = text.slice(0, expression.start).split('\n').length;
    const list = insertions.get(line) ?? [];
    list.unshift({ column: expression.start - lineStart + 1, length: prefix.length });
    insertions.set(line, list);
  }
  const captures = captured.map(({ name }) => name);
  const check = (body.expressions.length > 1 || body.iterates) && captures.length > 0 ? `\n${captures.join('; ')}` : '';
  const cells = [...body.variables, ...captures].map((name) => `${SORTED}(${name})`).join(', ');
  const head = `package ${QUERY_PACKAGE}\n${ROWS} := [[${cells}] |\n`;
  const module =
    `${head}${source}${check}\n]\n\n` +
    // object.get hides the type of the value from the type checker, which would otherwise reject sort() of a number.
    `${SORTED}(value) := sort(object.get({"v": value}, "v", [])) if is_set(value)\n\n${SORTED}(value) := value if not is_set(value)\n`;
  return { mode: 'body', lineCount, insertions, source: module, entrypoint: `${QUERY_PACKAGE_PATH}/${ROWS}`, body, sourceUpToQueryEnd: `${head}${source}` };
}

/**
 * The entrypoint is not `result` itself but `result` with a set sorted: a set comes out of the wasm in hash order,
 * which would reshuffle the table on every keystroke and differ from `opa eval` (which sorts). The rule is appended
 * after the user's text, so it moves no line of it.
 */
const ORDERED_RESULT = 'credcheck_ordered_result';
// object.get hides the type of `result` from the type checker, which would otherwise reject sort() of a number.
const ORDERED_RESULT_RULE = `${ORDERED_RESULT} := sort(value) if {\n\tvalue := object.get({"v": result}, "v", null)\n\tis_set(value)\n} else := result\n`;

/** Names of the wrapper's own rules and variables: never shown to the user (see mentionsWrapper). */
const ROWS = 'credcheck_rows';
const SORTED = 'credcheck_sorted';
const CAPTURE = 'credcheck_value_';
const QUERY_PACKAGE_PATH = QUERY_PACKAGE.replace(/\./g, '/');
/** Lines of the module before the query's line 1. */
const BODY_FIRST_LINE = 3;

/** Whether a message names a part of the wrapper (a generated rule or variable). */
export function mentionsWrapper(message: string): boolean {
  return /credcheck_(?:rows|sorted|value_\d+|ordered_result)\b/.test(message);
}

/**
 * Maps a 1-based line and UTF-16 column of the compiled module to the query text. Locations inside the wrapper (the
 * package line, the rule head) become line 1, column 1 of the query, locations after the text its last line, both
 * with `inText: false`.
 */
export function mapToQuery(module: QueryModule, line: number, column: number): { line: number; column: number; inText: boolean } {
  if (module.mode === 'module') return line > module.lineCount ? { line: module.lineCount, column: 1, inText: false } : { line, column, inText: true };
  const queryLine = line - (module.mode === 'body' ? BODY_FIRST_LINE - 1 : 1);
  if (queryLine > module.lineCount) return { line: module.lineCount, column: 1, inText: false };
  if (queryLine < 1) return { line: 1, column: 1, inText: false };
  let shift = 0;
  for (const insertion of module.insertions.get(queryLine) ?? []) {
    const at = insertion.column + shift;
    if (column < at) break;
    // Inside the inserted capture: the expression it captures.
    if (column < at + insertion.length) return { line: queryLine, column: insertion.column, inText: true };
    shift += insertion.length;
  }
  return { line: queryLine, column: Math.max(1, column - shift), inText: true };
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
