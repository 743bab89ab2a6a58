/**
 * Report text (user names, ARNs, tags, messages that quote them) and policy text are hostile: a user named
 * `a\x1b]0;pwned\x07` retitles the terminal, `\x1b[2J` clears it, C1 `\x9b` is a CSI on some terminals, a backspace or
 * carriage return overwrites what came before, U+202E turns the rest of the line around, and a line break forges a line
 * of its own. Everything a person reads on a terminal (the table, problems and print() lines on stderr, query tables)
 * goes through escapeTerminalText, which shows such characters as visible escapes instead of passing them through.
 * The escapes are for reading, not for round trips: a backslash in the text is left as it is.
 */

/**
 * What is never printed raw: C0 and C1 controls and DEL (Cc), invisible format characters (Cf: bidi overrides and
 * isolates, LRM/RLM, zero-width space and joiners, BOM, soft hyphen, tag characters), line and paragraph separators,
 * unpaired surrogates and noncharacters (U+FFFE, U+FFFF, ...).
 */
const HOSTILE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Noncharacter_Code_Point}]/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const SHORT: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export interface TerminalTextOptions {
  /** Keep tab and line feed (text that is laid out in lines of its own, e.g. XML content); default: escaped too. */
  keepLineBreaks?: boolean;
}

/** `\x1b` for a code point up to U+00FF, `\u202e` up to U+FFFF, `\u{e0041}` above. */
export function visibleEscape(char: string): string {
  if (SHORT[char]) return SHORT[char]!;
  const code = char.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * The text with every control, format, separator, unpaired surrogate and noncharacter shown as a visible escape. A
 * zero-width joiner or non-joiner between two non-ASCII characters is kept: it joins emoji sequences and shapes
 * Persian and Indic script, and there it cannot disguise an ASCII name (`ad\u200dmin`).
 */
export function escapeTerminalText(text: string, options: TerminalTextOptions = {}): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  return text.replace(HOSTILE, (char: string, offset: number, whole: string) => {
    if (options.keepLineBreaks && (char === '\n' || char === '\t')) return char;
    if ((char === '\u200c' || char === '\u200d') && joinsVisibleText(codePointBefore(whole, offset), whole.codePointAt(offset + 1))) return char;
    return visibleEscape(char);
  });
}

const HOSTILE_CHAR = new RegExp(HOSTILE.source, 'u');

function joinsVisibleText(before: number | undefined, after: number | undefined): boolean {
  if (before === undefined || after === undefined || before <= 0x7f || after <= 0x7f) return false;
  return !HOSTILE_CHAR.test(String.fromCodePoint(before)) && !HOSTILE_CHAR.test(String.fromCodePoint(after));
}

/** The code point that ends just before `offset` (a surrogate pair read whole). */
function codePointBefore(text: string, offset: number): number | undefined {
  if (offset === 0) return undefined;
  const low = text.charCodeAt(offset - 1);
  if (low >= 0xdc00 && low <= 0xdfff && offset >= 2) {
    const high = text.charCodeAt(offset - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(offset - 2);
  }
  return low;
}

/** Whether the text holds anything escapeTerminalText would escape (what the tests and the fuzz check assert). */
export function hasTerminalControls(text: string, options: TerminalTextOptions = {}): boolean {
  return escapeTerminalText(text, options) !== text;
}
