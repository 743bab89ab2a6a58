import { ReportProblem } from '../model';

/**
 * Turns a report file's bytes into text and says where bytes were not valid text. AWS writes UTF-8; a report saved
 * again by a spreadsheet as "Unicode text" is UTF-16 with a byte order mark, which is honoured. Invalid bytes become
 * U+FFFD, as every decoder does, but never silently: a user name with a replaced byte is not the name AWS knows, so
 * each invalid sequence is located (line and UTF-16 column in the decoded text, as the parser counts them, and byte
 * offset in the file) for a warning.
 *
 * The common case costs one strict decode (TextDecoder with `fatal: true`). Only when it throws are the bytes scanned
 * again, with the WHATWG decoder's own rules for what one replacement covers, so every sequence reported here is
 * exactly one U+FFFD in the text TextDecoder gives. No library exposes those positions (Node's `buffer.isUtf8` and
 * `utf-8-validate` only answer yes or no).
 */

export type ReportEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface InvalidByteSequence {
  /** 1-based line and 0-based UTF-16 column of its U+FFFD in the decoded text (lines end at \n, \r\n or \r). */
  line: number;
  column: number;
  /** Offset of its first byte in the file, byte order mark included. */
  byteOffset: number;
  /** Its bytes in hex, e.g. `C3 28` is reported as `C3` (the 28 is read as "("). */
  bytes: string;
}

export interface DecodedReportText {
  text: string;
  encoding: ReportEncoding;
  /** The first invalid sequences, at most the cap given to decodeReportText. */
  invalid: InvalidByteSequence[];
  /** How many invalid sequences there are in all (listed or not). */
  invalidCount: number;
  /** The first sequence past the cap, so that the rest can be pointed at. */
  firstUnlisted?: InvalidByteSequence;
}

/** More than this many invalid sequences are counted, not listed: a binary file would otherwise flood the problems. */
export const MAX_LISTED_INVALID_SEQUENCES = 20;

export function decodeReportText(bytes: Uint8Array, maxListed = MAX_LISTED_INVALID_SEQUENCES): DecodedReportText {
  const encoding: ReportEncoding =
    bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes), encoding, invalid: [], invalidCount: 0 };
  } catch {
    const text = new TextDecoder(encoding).decode(bytes);
    const found = new SequenceList(maxListed);
    if (encoding === 'utf-8') scanUtf8(bytes, found);
    else scanUtf16(bytes, encoding === 'utf-16le', found);
    return { text, encoding, invalid: found.listed, invalidCount: found.count, firstUnlisted: found.firstUnlisted };
  }
}

/** One warning per listed sequence, and one more that counts the rest. */
export function decodingProblems(file: string, decoded: DecodedReportText): ReportProblem[] {
  const code = decoded.encoding === 'utf-8' ? 'invalid-utf8' : 'invalid-utf16';
  const name = decoded.encoding === 'utf-8' ? 'UTF-8' : `UTF-16 (${decoded.encoding === 'utf-16le' ? 'little' : 'big'}-endian, from the byte order mark)`;
  const problem = (sequence: InvalidByteSequence, message: string): ReportProblem => ({
    file,
    line: sequence.line,
    location: { line: sequence.line, startColumn: sequence.column, endColumn: sequence.column + 1 },
    severity: 'warning',
    code,
    message,
  });
  const problems = decoded.invalid.map((sequence) =>
    problem(sequence, `byte${sequence.bytes.includes(' ') ? 's' : ''} ${sequence.bytes} at byte offset ${sequence.byteOffset} ${sequence.bytes.includes(' ') ? 'are' : 'is'} not valid ${name}; read as U+FFFD (\uFFFD), so this value is not exactly what the file holds`),
  );
  if (decoded.firstUnlisted) {
    const rest = decoded.invalidCount - decoded.invalid.length;
    problems.push(problem(decoded.firstUnlisted, `${rest} more invalid ${name} sequence${rest === 1 ? '' : 's'} from here on (byte offset ${decoded.firstUnlisted.byteOffset}), each read as U+FFFD; not listed one by one`));
  }
  return problems;
}

class SequenceList {
  readonly listed: InvalidByteSequence[] = [];
  count = 0;
  firstUnlisted: InvalidByteSequence | undefined;
  private line = 1;
  private column = 0;
  private afterCarriageReturn = false;

  constructor(private readonly max: number) {}

  /** Moves past one decoded code point (`units` UTF-16 code units), counting lines as the parser does. */
  advance(codePoint: number, units: number): void {
    if (codePoint === 0x0a) {
      if (!this.afterCarriageReturn) this.newLine();
      this.afterCarriageReturn = false;
      return;
    }
    this.afterCarriageReturn = codePoint === 0x0d;
    if (this.afterCarriageReturn) this.newLine();
    else this.column += units;
  }

  /** Records an invalid sequence at the current place; it decodes to one U+FFFD. */
  invalid(bytes: Uint8Array, from: number, to: number): void {
    this.count++;
    if (this.listed.length < this.max || this.firstUnlisted === undefined) {
      const hex = Array.from(bytes.subarray(from, Math.max(to, from + 1)), (byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join(' ');
      const sequence = { line: this.line, column: this.column, byteOffset: from, bytes: hex };
      if (this.listed.length < this.max) this.listed.push(sequence);
      else this.firstUnlisted = sequence;
    }
    this.advance(0xfffd, 1);
  }

  private newLine(): void {
    this.line++;
    this.column = 0;
  }
}

/** The WHATWG UTF-8 decoder (encoding.spec.whatwg.org, "UTF-8 decoder"), keeping only where it emits U+FFFD. */
function scanUtf8(bytes: Uint8Array, found: SequenceList): void {
  let i = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let needed = 0;
  let seen = 0;
  let codePoint = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let start = i;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (needed === 0) {
      start = i;
      i++;
      if (byte <= 0x7f) {
        found.advance(byte, 1);
      } else if (byte >= 0xc2 && byte <= 0xdf) {
        needed = 1;
        codePoint = byte & 0x1f;
      } else if (byte >= 0xe0 && byte <= 0xef) {
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
        needed = 2;
        codePoint = byte & 0x0f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
        needed = 3;
        codePoint = byte & 0x07;
      } else {
        found.invalid(bytes, start, i);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // The sequence so far is one U+FFFD; this byte is read again as the start of the next one.
      needed = seen = codePoint = 0;
      lower = 0x80;
      upper = 0xbf;
      found.invalid(bytes, start, i);
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    codePoint = (codePoint << 6) | (byte & 0x3f);
    seen++;
    i++;
    if (seen === needed) {
      found.advance(codePoint, codePoint > 0xffff ? 2 : 1);
      needed = seen = codePoint = 0;
    }
  }
  if (needed !== 0) found.invalid(bytes, start, bytes.length);
}

/** UTF-16 after its byte order mark: an unpaired surrogate or a last odd byte is one U+FFFD. */
function scanUtf16(bytes: Uint8Array, littleEndian: boolean, found: SequenceList): void {
  const unitAt = (offset: number) => (littleEndian ? bytes[offset]! | (bytes[offset + 1]! << 8) : (bytes[offset]! << 8) | bytes[offset + 1]!);
  let i = 2;
  while (i + 1 < bytes.length) {
    const unit = unitAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 3 < bytes.length) {
      const next = unitAt(i + 2);
      if (next >= 0xdc00 && next <= 0xdfff) {
        found.advance(0x10000, 2);
        i += 4;
        continue;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) found.invalid(bytes, i, i + 2);
    else found.advance(unit, 1);
    i += 2;
  }
  if (i < bytes.length) found.invalid(bytes, i, bytes.length);
}
