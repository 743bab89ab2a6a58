/**
 * How many terminal columns text takes, and text wrapped or padded to a number of columns, for tables laid out on a
 * terminal. Text is measured after escapeTerminalText, so it holds no control or format character.
 *
 * The width of one grapheme (Intl.Segmenter, built into Node) follows string-width 7: nothing for combining marks and
 * other zero-width clusters, 2 for an emoji, else the East Asian Width of its first code point (2 for wide and
 * fullwidth characters). string-width 7 is ESM-only, which the CommonJS build cannot require on every Node the
 * engines field allows; string-width 4 (CommonJS, same author) is used for the East Asian Width of a code point only,
 * because it counts each combining mark outside U+0300-U+036F as a column and each emoji piece on its own.
 */
import stringWidth from 'string-width';

const ASCII = /^[\x20-\x7e]*$/;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]+$/u;
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F|\p{Regional_Indicator}/u;
/**
 * Made on first use: the first Intl.Segmenter of a process loads ICU's break rules, about 25 ms, which every CLI run
 * paid at start-up (issue 18) though most text is ASCII and never segmented.
 */
let segmenter: Intl.Segmenter | undefined;

function graphemeWidth(grapheme: string): number {
  if (ASCII.test(grapheme)) return grapheme.length;
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (EMOJI.test(grapheme)) return 2;
  return stringWidth(String.fromCodePoint(grapheme.codePointAt(0)!)) >= 2 ? 2 : 1;
}

/**
 * Iterating Intl.Segmenter's segments takes time quadratic in the length of the string (V8: 40,000 characters 0.5 s,
 * 100,000 characters 16 s), and a report cell can be that long: the text is segmented in pieces of at most CHUNK code
 * units, cut where no grapheme can continue (between two printable ASCII characters; failing that, before a character
 * that does not extend the one before it).
 */
const CHUNK = 1024;
const PRINTABLE_ASCII_CHAR = /[\x20-\x7e]/;
const EXTENDS = /[\p{M}\u200c\u200d\ufe00-\ufe0f\udc00-\udfff]/u;

function cutBefore(text: string, start: number, end: number): number {
  for (let index = end; index > start + CHUNK / 2; index--) {
    if (PRINTABLE_ASCII_CHAR.test(text[index]!) && PRINTABLE_ASCII_CHAR.test(text[index - 1]!)) return index;
  }
  for (let index = end; index > start + 1; index--) if (!EXTENDS.test(text[index]!) && text[index - 1] !== '\u200d') return index;
  return end;
}

function graphemes(text: string): string[] {
  if (ASCII.test(text)) return text.split('');
  const parts: string[] = [];
  for (let start = 0; start < text.length; ) {
    const end = text.length - start <= CHUNK ? text.length : cutBefore(text, start, start + CHUNK);
    segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    for (const { segment } of segmenter.segment(text.slice(start, end))) parts.push(segment);
    start = end;
  }
  return parts;
}

/** Terminal columns the text takes. */
export function displayWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  let width = 0;
  for (const grapheme of graphemes(text)) width += graphemeWidth(grapheme);
  return width;
}

/** The text followed by spaces up to `width` columns (unchanged when already as wide). */
export function padToWidth(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

/**
 * The text in lines of at most `width` columns, broken at spaces; a word wider than a line is cut between graphemes
 * (never inside one). Runs of spaces at a break are dropped. Always at least one line.
 */
export function wrapToWidth(text: string, width: number): string[] {
  const limit = Math.max(1, Math.floor(width));
  if (displayWidth(text) <= limit) return [text];
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  const flush = () => {
    lines.push(line.trimEnd());
    line = '';
    lineWidth = 0;
  };
  for (const word of text.split(/ +/)) {
    if (word === '') continue;
    const wordWidth = displayWidth(word);
    const gap = lineWidth > 0 ? 1 : 0;
    if (lineWidth + gap + wordWidth <= limit) {
      line += (gap ? ' ' : '') + word;
      lineWidth += gap + wordWidth;
      continue;
    }
    if (lineWidth > 0) flush();
    if (wordWidth <= limit) {
      line = word;
      lineWidth = wordWidth;
      continue;
    }
    for (const grapheme of graphemes(word)) {
      const width = graphemeWidth(grapheme);
      if (lineWidth + width > limit && lineWidth > 0) flush();
      line += grapheme;
      lineWidth += width;
    }
  }
  if (line !== '' || lines.length === 0) flush();
  return lines;
}
