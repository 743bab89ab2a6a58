/**
 * The shape of a query written as `opa eval` takes it: a body of expressions separated by `;` or new lines, whose
 * answer is one row per way the body succeeds, with the values of its variables (the bindings) and of its expressions.
 *
 * The embedded compiler builds modules, not queries, so the query is wrapped in a rule (queryModule.ts); this file
 * reads what the wrapper needs from the text without a full parse: where each expression starts and ends, which
 * expressions have a value of their own (OPA's rewriteQueryToCaptureValue, rego/rego.go), which variables are the
 * query's own (not local to a comprehension or an `every`), and whether the query iterates. The text is never changed,
 * and a text the scanner misreads still goes to the compiler, whose errors are the final word.
 *
 * Hand-written rather than a library: no maintained Rego parser runs in JavaScript (OPA's is Go; the embedded
 * compiler would need a new request and a rebuild), and this needs tokens and brackets only.
 */

export interface QueryToken {
  kind: 'ident' | 'string' | 'number' | 'punct' | 'newline';
  text: string;
  /** Offsets in the query text (end exclusive). */
  start: number;
  end: number;
}

/** One expression of the body. */
export interface QueryExpression {
  /** The expression as written (OPA's `text` of an expression value, and its column title). */
  text: string;
  /** Offset of its first character in the query text. */
  start: number;
  /**
   * The expression has a value of its own (a term, a call, a comparison): OPA reports it; otherwise (`x := ...`,
   * `x = ...`, `some`, `every`, `not`, `print(...)`) its value is `true`.
   */
  captured: boolean;
}

export interface QueryBody {
  expressions: QueryExpression[];
  /** The query's own variables, in order of first appearance (OPA reports them as bindings). */
  variables: string[];
  /** Offset of each variable's first appearance (an error about it that the wrapper raised is placed there). */
  variableStarts: number[];
  /**
   * The text ends inside a bracket or after an operator: the parser would read on into whatever follows it, so its
   * errors are those of the text alone followed by the end of input.
   */
  incomplete: boolean;
  /**
   * OPA's `iteration(query)`: a reference with a variable after its head (`input.users[_]`) or `walk`. With it, or
   * with more than one expression, an expression whose value is `false` fails the row instead of being reported.
   */
  iterates: boolean;
}

/** Words that are never variables of the query. */
const KEYWORDS = new Set(['some', 'in', 'every', 'not', 'with', 'as', 'if', 'contains', 'else', 'true', 'false', 'null', 'default', 'import', 'package', 'input', 'data']);

/** Tokens after which an expression goes on past a new line (OPA's parser reads the next token wherever it is). */
const CONTINUES_AFTER = new Set([':=', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '&', '|', ',', '.', ':', 'some', 'every', 'not', 'in', 'with', 'as']);
/** Tokens that continue the expression of the line before (an infix operator, a modifier). */
const CONTINUES_BEFORE = new Set([':=', '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '&', '|', '.', 'in', 'with', 'as']);

const TWO_CHAR_PUNCT = new Set([':=', '==', '!=', '<=', '>=']);

/** Splits query text into tokens; comments are dropped, new lines kept (they separate expressions). */
export function tokenizeQuery(text: string): QueryToken[] {
  const tokens: QueryToken[] = [];
  let index = 0;
  const push = (kind: QueryToken['kind'], start: number, end: number) => tokens.push({ kind, text: text.slice(start, end), start, end });
  while (index < text.length) {
    const char = text[index]!;
    if (char === '\n') {
      push('newline', index, index + 1);
      index++;
    } else if (/\s/.test(char)) {
      index++;
    } else if (char === '#') {
      while (index < text.length && text[index] !== '\n') index++;
    } else if (char === '"' || (char === '$' && text[index + 1] === '"')) {
      const start = index;
      index += char === '$' ? 2 : 1;
      while (index < text.length && text[index] !== '"' && text[index] !== '\n') index += text[index] === '\\' ? 2 : 1;
      index = Math.min(text.length, index + 1);
      push('string', start, index);
    } else if (char === '`' || (char === '$' && text[index + 1] === '`')) {
      const start = index;
      const end = text.indexOf('`', index + (char === '$' ? 2 : 1));
      index = end < 0 ? text.length : end + 1;
      push('string', start, index);
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(index, index + 64))!;
      push('number', index, index + match[0].length);
      index += match[0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      const start = index;
      while (index < text.length && /[A-Za-z0-9_]/.test(text[index]!)) index++;
      push('ident', start, index);
    } else {
      const width = TWO_CHAR_PUNCT.has(text.slice(index, index + 2)) ? 2 : 1;
      push('punct', index, index + width);
      index += width;
    }
  }
  return tokens;
}

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Reads the expressions, variables and iteration of a query body. */
export function readQueryBody(text: string): QueryBody {
  const tokens = tokenizeQuery(text);
  const closing = matchBrackets(tokens);
  /** Brackets that open a scope of their own: comprehensions and `every` bodies. */
  const scopes = new Set<number>();
  /** Tokens that are not variables of the query: `every`'s declared names, `with` targets. */
  const notVariables = new Set<number>();

  tokens.forEach((token, index) => {
    if ((token.text === '[' || token.text === '{') && token.kind === 'punct' && hasBarAtOwnLevel(tokens, index, closing)) scopes.add(index);
  });
  tokens.forEach((token, index) => {
    if (token.kind !== 'ident') return;
    if (token.text === 'every') markEvery(tokens, index, closing, scopes, notVariables);
    if (token.text === 'with') {
      // `with <target> as <value>`: the target is input, data or a function, never a variable.
      for (let next = index + 1; next < tokens.length && tokens[next]!.text !== 'as'; next++) notVariables.add(next);
    }
  });

  const variables: string[] = [];
  const variableStarts: number[] = [];
  let iterates = false;
  const open: number[] = [];
  const scopeDepth = () => open.filter((bracket) => scopes.has(bracket)).length;
  tokens.forEach((token, index) => {
    if (token.kind === 'punct' && token.text in OPENERS) {
      if (token.text === '[' && scopeDepth() === 0 && isRefBracket(tokens, index, closing)) iterates = true;
      open.push(index);
      return;
    }
    if (token.kind === 'punct' && (token.text === ')' || token.text === ']' || token.text === '}')) {
      open.pop();
      return;
    }
    if (token.kind !== 'ident' || scopeDepth() > 0 || notVariables.has(index)) return;
    if (token.text === 'walk' && tokens[index + 1]?.text === '(') iterates = true;
    if (KEYWORDS.has(token.text) || token.text === '_' || tokens[index - 1]?.text === '.' || isCallee(tokens, index)) return;
    if (!variables.includes(token.text)) {
      variables.push(token.text);
      variableStarts.push(token.start);
    }
  });

  const significant = tokens.filter((token) => token.kind !== 'newline');
  const last = significant[significant.length - 1];
  const unclosed = [...closing.values()].some((end) => end === tokens.length);
  const incomplete = unclosed || (last !== undefined && CONTINUES_AFTER.has(last.text));
  return { expressions: splitExpressions(text, tokens, closing), variables, variableStarts, iterates, incomplete };
}

/** Index of the matching closing bracket of each opening one (tokens.length when it never closes). */
function matchBrackets(tokens: QueryToken[]): Map<number, number> {
  const closing = new Map<number, number>();
  const stack: number[] = [];
  tokens.forEach((token, index) => {
    if (token.kind !== 'punct') return;
    if (token.text in OPENERS) stack.push(index);
    else if (token.text === ')' || token.text === ']' || token.text === '}') {
      const opener = stack.pop();
      if (opener !== undefined) closing.set(opener, index);
    }
  });
  for (const opener of stack) closing.set(opener, tokens.length);
  return closing;
}

/** A `|` directly inside the bracket makes it a comprehension (a `|` nested deeper is a set union). */
function hasBarAtOwnLevel(tokens: QueryToken[], opener: number, closing: Map<number, number>): boolean {
  const end = closing.get(opener) ?? tokens.length;
  for (let index = opener + 1; index < end; index++) {
    const token = tokens[index]!;
    if (token.kind === 'punct' && token.text in OPENERS) index = closing.get(index) ?? end;
    else if (token.kind === 'punct' && token.text === '|') return true;
  }
  return false;
}

/** `every k, v in domain { body }`: k and v are the body's, the body is a scope; the domain is the query's. */
function markEvery(tokens: QueryToken[], every: number, closing: Map<number, number>, scopes: Set<number>, notVariables: Set<number>): void {
  let index = every + 1;
  for (; index < tokens.length && tokens[index]!.text !== 'in' && tokens[index]!.kind !== 'newline'; index++) notVariables.add(index);
  for (; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.kind !== 'punct' || !(token.text in OPENERS)) continue;
    const end = closing.get(index) ?? tokens.length;
    const after = tokens[end + 1];
    // The body is the brace group that ends the expression (`every x in {1, 2} { ... }` has a set before it).
    if (token.text === '{' && (!after || after.kind === 'newline' || after.text === ';' || after.text === ']' || after.text === '}' || after.text === ')')) {
      scopes.add(index);
      return;
    }
    index = end;
  }
}

/** `x[i]` (written without a space), not an array literal: the token before is a name or a closing bracket. */
function isRefBracket(tokens: QueryToken[], index: number, closing: Map<number, number>): boolean {
  const before = tokens[index - 1];
  if (!before || before.end !== tokens[index]!.start) return false;
  if (!(before.kind === 'ident' || before.kind === 'string' || before.text === ']' || before.text === ')' || before.text === '}')) return false;
  const end = closing.get(index);
  const inner = tokens[index + 1];
  return end === index + 2 && inner !== undefined && inner.kind === 'ident' && !['true', 'false', 'null'].includes(inner.text);
}

/** `count(...)`, `time.now_ns(...)`: the head of a called name is a function, not a variable. */
function isCallee(tokens: QueryToken[], index: number): boolean {
  let next = index + 1;
  while (tokens[next]?.text === '.' && tokens[next + 1]?.kind === 'ident') next += 2;
  return tokens[next]?.text === '(';
}

/**
 * Splits the body into expressions as OPA's parser does: at a `;`, or at a new line outside brackets unless the
 * expression goes on (the line ends with an operator, or the next one starts with one).
 */
function splitExpressions(text: string, tokens: QueryToken[], closing: Map<number, number>): QueryExpression[] {
  const expressions: QueryExpression[] = [];
  let first = -1;
  let last = -1;
  const finish = () => {
    if (first >= 0) expressions.push(describeExpression(text, tokens, first, last, closing));
    first = -1;
    last = -1;
  };
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.text === ';') {
      finish();
      continue;
    }
    if (token.kind === 'newline') {
      if (first < 0 || CONTINUES_AFTER.has(tokens[last]!.text)) continue;
      let next = index + 1;
      while (tokens[next]?.kind === 'newline') next++;
      if (tokens[next] && CONTINUES_BEFORE.has(tokens[next]!.text)) continue;
      finish();
      continue;
    }
    if (first < 0) first = index;
    if (token.kind === 'punct' && token.text in OPENERS) index = Math.min(closing.get(index) ?? tokens.length, tokens.length - 1);
    last = index;
  }
  finish();
  return expressions;
}

function describeExpression(text: string, tokens: QueryToken[], first: number, last: number, closing: Map<number, number>): QueryExpression {
  const head = tokens[first]!;
  const expression = { text: text.slice(head.start, tokens[last]!.end), start: head.start };
  if (head.kind === 'ident' && (head.text === 'some' || head.text === 'every' || head.text === 'not')) return { ...expression, captured: false };
  for (let index = first; index <= last; index++) {
    const token = tokens[index]!;
    if (token.text === 'with') break;
    if (token.kind === 'punct' && (token.text === ':=' || token.text === '=')) return { ...expression, captured: false };
    if (token.kind === 'punct' && token.text in OPENERS) index = closing.get(index) ?? last;
  }
  // print() has no value (a void function); OPA reports it as true.
  const printEnd = head.text === 'print' && tokens[first + 1]?.text === '(' ? closing.get(first + 1) : undefined;
  if (printEnd !== undefined && (printEnd === last || tokens[printEnd + 1]?.text === 'with')) return { ...expression, captured: false };
  return { ...expression, captured: true };
}
