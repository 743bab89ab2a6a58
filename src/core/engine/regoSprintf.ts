/**
 * Rego's `sprintf` exactly as native OPA v1.22.0 computes it, for policies evaluated in WebAssembly.
 *
 * `sprintf` is not implemented inside OPA's wasm runtime: the host answers it. The SDK's default answer (sprintf-js) is
 * C-like, not Go's fmt: `%q` throws (failing the whole evaluation), `%v` of an array prints `1,a`, `%d` of 92.5
 * truncates. Policies are written and tested against native OPA, so messages must come out byte for byte the same.
 *
 * What OPA does (v1/topdown/strings.go, builtinSprintf): each argument is converted first (a number whose text has no
 * `.`/`e`/`E` becomes int64, any other number float64, a string a Go string, everything else, booleans, null, arrays,
 * objects, sets, its Rego text such as `[1, "a"]` or `{"a": 1}`), then Go's `fmt.Sprintf` runs. So only three Go types
 * ever reach fmt: int64, float64 and string. This module ports exactly the parts of Go 1.26's fmt/print.go,
 * fmt/format.go and strconv (ftoa, quote) those three types reach, error forms included (`%!d(string=x)`,
 * `%!d(MISSING)`, `%!(EXTRA int64=2)`, `%!(BADWIDTH)`, ...), so each function below names its Go original.
 *
 * Differences we cannot avoid, because the arguments arrive as JSON decoded by JavaScript:
 * - a number's text is gone. An integral value below 2^63 is taken as int64 and any other number as float64, so the
 *   text `2.0` or `1e3` (float64 for OPA) formats as an integer, and an integer that a double cannot hold exactly
 *   (beyond 2^53) formats as the double's value; numbers inside arrays and objects print as JavaScript writes them.
 * - a Rego set arrives as an array (the wasm runtime dumps sets as JSON arrays), so it prints `[1, 2]`, not `{1, 2}`.
 * No npm dependency: what matters is byte-for-byte agreement with Go, error forms and strconv's float rounding
 * included, which C-style sprintf packages do not aim for; the part of fmt reachable from Rego is small enough to port
 * and is pinned by a differential test against native OPA (test/unit/engine/regoSprintf.test.ts).
 */

/** One argument as Go's fmt sees it after OPA's conversion. */
type GoValue = { type: 'int64'; value: number } | { type: 'float64'; value: number } | { type: 'string'; value: string };

/** fmt's per-verb state (fmt.fmtFlags plus wid/prec). */
interface Flags {
  widPresent: boolean;
  precPresent: boolean;
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  prec: number;
}

const clearFlags = (): Flags => ({
  widPresent: false, precPresent: false, minus: false, plus: false, sharp: false, space: false, zero: false,
  plusV: false, sharpV: false, wid: 0, prec: 0,
});

/** Formats `args` with `format` the way OPA's `sprintf(format, args)` does. */
export function regoSprintf(format: string, args: unknown[]): string {
  return new GoPrinter().doPrintf(wellFormed(format), args.map(toGoValue));
}

// ---------------------------------------------------------------------------------------------------------------
// OPA's argument conversion

function toGoValue(arg: unknown): GoValue {
  if (typeof arg === 'number') {
    // JSON "92" arrives as the integer 92: OPA would see integer text. Integers past 2^53 stay integers too (up to
    // int64): nanosecond times (`time.now_ns()`, ~1.7e18) are integers in Rego and are formatted with %d all the time.
    // Anything else had a fraction or an exponent; float64 is the closest reading.
    return Number.isInteger(arg) && Math.abs(arg) < 2 ** 63 ? { type: 'int64', value: arg === 0 ? 0 : arg } : { type: 'float64', value: arg };
  }
  if (typeof arg === 'string') return { type: 'string', value: wellFormed(arg) };
  return { type: 'string', value: regoText(arg) };
}

/** ast.Value.String(): the Rego text of a value, strings Go-quoted, object keys sorted. */
function regoText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return quote(wellFormed(value), '"', false);
  if (Array.isArray(value)) return `[${value.map(regoText).join(', ')}]`;
  if (typeof value === 'object') {
    // Rego sorts string keys as Go strings: byte order of UTF-8, which is code point order (not UTF-16 order).
    const keys = Object.keys(value).sort(compareCodePoints);
    if (keys.length === 0) return '{}';
    return `{${keys.map((k) => `${quote(wellFormed(k), '"', false)}: ${regoText((value as Record<string, unknown>)[k])}`).join(', ')}}`;
  }
  return String(value);
}

function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** Go strings from JSON never hold a lone surrogate (encoding/json makes it U+FFFD); JavaScript strings can. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

// ---------------------------------------------------------------------------------------------------------------
// fmt/print.go: the format loop, argument indexes, error forms

const typeName = (arg: GoValue) => arg.type;
const runeCount = (s: string) => [...s].length;

class GoPrinter {
  private out = '';
  private f = clearFlags();
  private reordered = false;
  private goodArgNum = true;

  doPrintf(format: string, a: GoValue[]): string {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    for (let i = 0; i < end;) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.out += format.slice(lasti, i);
      if (i >= end) break;
      i++; // skip %

      this.f = clearFlags();
      flags: for (; i < end; i++) {
        switch (format[i]) {
          case '#': this.f.sharp = true; break;
          case '0': this.f.zero = true; break;
          case '+': this.f.plus = true; break;
          case '-': this.f.minus = true; break;
          case ' ': this.f.space = true; break;
          default: break flags;
        }
      }
      // Go also has a fast path here for a bare lowercase verb; it gives the same output as the general path.

      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);

      if (i < end && format[i] === '*') {
        i++;
        [this.f.wid, this.f.widPresent, argNum] = intFromArg(a, argNum);
        if (!this.f.widPresent) this.out += '%!(BADWIDTH)';
        if (this.f.wid < 0) {
          // A negative width from an argument means left-justify.
          this.f.wid = -this.f.wid;
          this.f.minus = true;
          this.f.zero = false;
        }
        afterIndex = false;
      } else {
        [this.f.wid, this.f.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.f.widPresent) this.goodArgNum = false; // "%[3]2d"
      }

      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false; // "%[3].2d"
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          [this.f.prec, this.f.precPresent, argNum] = intFromArg(a, argNum);
          if (this.f.prec < 0) {
            this.f.prec = 0;
            this.f.precPresent = false;
          }
          if (!this.f.precPresent) this.out += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.f.prec, this.f.precPresent, i] = parsenum(format, i, end);
          if (!this.f.precPresent) {
            this.f.prec = 0;
            this.f.precPresent = true;
          }
        }
      }

      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);

      if (i >= end) {
        this.out += '%!(NOVERB)';
        break;
      }

      const verbCode = format.codePointAt(i)!;
      const verb = String.fromCodePoint(verbCode);
      i += verb.length;

      if (verb === '%') {
        this.out += '%'; // takes no argument and ignores width and precision
      } else if (!this.goodArgNum) {
        this.out += `%!${verb}(BADINDEX)`;
      } else if (argNum >= a.length) {
        this.out += `%!${verb}(MISSING)`;
      } else {
        if (verb === 'v' || verb === 'w') {
          // %#v is Go syntax and %+v field names: different formats, not flags, for the value printed.
          this.f.sharpV = this.f.sharp;
          this.f.sharp = false;
          this.f.plusV = this.f.plus;
          this.f.plus = false;
        }
        this.printArg(a[argNum]!, verb);
        argNum++;
      }
    }

    // fmt only reports unused arguments when none was addressed by index.
    if (!this.reordered && argNum < a.length) {
      this.f = clearFlags();
      this.out += '%!(EXTRA ';
      a.slice(argNum).forEach((arg, index) => {
        if (index > 0) this.out += ', ';
        this.out += `${typeName(arg)}=`;
        this.printArg(arg, 'v');
      });
      this.out += ')';
    }
    return this.out;
  }

  /** pp.argNumber: an explicit `[n]` index at format[i], if any. */
  private argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  /** pp.printArg, for the three types OPA passes. */
  private printArg(arg: GoValue, verb: string): void {
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    if (verb === 'p') {
      this.badVerb(verb, arg); // fmtPointer refuses non-pointers
      return;
    }
    switch (arg.type) {
      case 'int64': return this.printInteger(arg, verb);
      case 'float64': return this.printFloat(arg, verb);
      case 'string': return this.printString(arg, verb);
    }
  }

  /** pp.badVerb: `%!verb(type=value)`, the value printed with %v but the verb's flags, width and precision. */
  private badVerb(verb: string, arg: GoValue): void {
    this.out += `%!${verb}(${typeName(arg)}=`;
    this.printArg(arg, 'v');
    this.out += ')';
  }

  /** pp.fmtInteger */
  private printInteger(arg: GoValue & { type: 'int64' }, verb: string): void {
    const n = arg.value;
    // Go reinterprets the int64 as uint64 for the rune verbs: -1 is 0xffffffffffffffff, never a valid rune.
    const asUint = () => BigInt.asUintN(64, BigInt(n));
    switch (verb) {
      case 'v': case 'd': return this.fmtInteger(n, 10, verb, false);
      case 'b': return this.fmtInteger(n, 2, verb, false);
      case 'o': case 'O': return this.fmtInteger(n, 8, verb, false);
      case 'x': return this.fmtInteger(n, 16, verb, false);
      case 'X': return this.fmtInteger(n, 16, verb, true);
      case 'c': return this.fmtC(asUint());
      case 'q': return this.fmtQc(asUint());
      case 'U': return this.fmtUnicode(asUint());
      default: return this.badVerb(verb, arg);
    }
  }

  /** pp.fmtFloat: the verb and its default precision. */
  private printFloat(arg: GoValue & { type: 'float64' }, verb: string): void {
    switch (verb) {
      case 'v': return this.fmtFloat(arg.value, 'g', -1);
      case 'b': case 'g': case 'G': case 'x': case 'X': return this.fmtFloat(arg.value, verb, -1);
      case 'f': case 'e': case 'E': return this.fmtFloat(arg.value, verb, 6);
      case 'F': return this.fmtFloat(arg.value, 'f', 6);
      default: return this.badVerb(verb, arg);
    }
  }

  /** pp.fmtString */
  private printString(arg: GoValue & { type: 'string' }, verb: string): void {
    switch (verb) {
      case 'v': return this.f.sharpV ? this.fmtQ(arg.value) : this.fmtS(arg.value);
      case 's': return this.fmtS(arg.value);
      case 'x': return this.fmtSx(arg.value, false);
      case 'X': return this.fmtSx(arg.value, true);
      case 'q': return this.fmtQ(arg.value);
      default: return this.badVerb(verb, arg);
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // fmt/format.go: padding and the per-type formatters

  /** fmt.writePadding: zeros only when asked and only on the left. */
  private padding(n: number): string {
    if (n <= 0) return '';
    return (this.f.zero && !this.f.minus ? '0' : ' ').repeat(n);
  }

  /** fmt.pad / fmt.padString: width counts runes, not bytes. */
  private pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += s;
      return;
    }
    const fill = this.padding(this.f.wid - runeCount(s));
    this.out += this.f.minus ? s + fill : fill + s;
  }

  /** Runs `write` with the zero flag off, as fmt does where zero padding would be wrong or is already done. */
  private withoutZero(write: () => void): void {
    const zero = this.f.zero;
    this.f.zero = false;
    write();
    this.f.zero = zero;
  }

  /** fmt.truncateString: precision limits a string's runes. */
  private truncate(s: string): string {
    return this.f.precPresent ? [...s].slice(0, this.f.prec).join('') : s;
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  /** fmt.fmtInteger: digits, precision or zero fill, 0x/0b/0 prefixes, sign, then space padding. */
  private fmtInteger(n: number, base: number, verb: string, upper: boolean): void {
    const negative = n < 0;
    const magnitude = Math.abs(n);
    const f = this.f;
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && magnitude === 0) {
        // Precision 0 and value 0 print nothing but the padding.
        this.withoutZero(() => (this.out += this.padding(f.wid)));
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--; // leave room for the sign
    }
    // Past 2^53 a double's shortest text drops digits ("4611686018427388000"); BigInt prints its exact integer value.
    let digits = (Number.isSafeInteger(magnitude) ? magnitude : BigInt(magnitude)).toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
    if (f.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && digits[0] !== '0') digits = `0${digits}`;
      else if (base === 16) digits = `0${upper ? 'X' : 'x'}${digits}`;
    }
    if (verb === 'O') digits = `0o${digits}`;
    if (negative) digits = `-${digits}`;
    else if (f.plus) digits = `+${digits}`;
    else if (f.space) digits = ` ${digits}`;
    this.withoutZero(() => this.pad(digits));
  }

  /** fmt.fmtC: a code point as its character; anything not a valid rune is U+FFFD. */
  private fmtC(u: bigint): void {
    this.pad(String.fromCodePoint(validRune(u)));
  }

  /** fmt.fmtQc: a code point as a single-quoted Go rune literal. */
  private fmtQc(u: bigint): void {
    const r = String.fromCodePoint(validRune(u));
    this.pad(quote(r, "'", this.f.plus));
  }

  /** fmt.fmtUnicode: U+0078, with %#U also the character when printable. */
  private fmtUnicode(u: bigint): void {
    const prec = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
    let s = `U+${u.toString(16).toUpperCase().padStart(prec, '0')}`;
    if (this.f.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
    this.withoutZero(() => this.pad(s));
  }

  /** fmt.fmtSbx for strings: hex of the UTF-8 bytes; precision limits the bytes, # adds 0x, space separates. */
  private fmtSx(s: string, upper: boolean): void {
    const f = this.f;
    const bytes = new TextEncoder().encode(s);
    const length = f.precPresent && f.prec < bytes.length ? f.prec : bytes.length;
    let width = 2 * length;
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2;
        width += length - 1;
      } else if (f.sharp) {
        width += 2;
      }
    } else {
      if (f.widPresent) this.out += this.padding(f.wid);
      return;
    }
    if (f.widPresent && f.wid > width && !f.minus) this.out += this.padding(f.wid - width);
    const prefix = upper ? '0X' : '0x';
    if (f.sharp) this.out += prefix;
    for (let i = 0; i < length; i++) {
      if (f.space && i > 0) this.out += f.sharp ? ` ${prefix}` : ' ';
      const hex = bytes[i]!.toString(16).padStart(2, '0');
      this.out += upper ? hex.toUpperCase() : hex;
    }
    if (f.widPresent && f.wid > width && f.minus) this.out += this.padding(f.wid - width);
  }

  /** fmt.fmtQ: Go string literal; %#q backquoted when possible, %+q ASCII only. */
  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) {
      this.pad(`\`${s}\``);
      return;
    }
    this.pad(quote(s, '"', this.f.plus));
  }

  /** fmt.fmtFloat: strconv's digits, then sign, # (keep the point and trailing zeros) and zero padding. */
  private fmtFloat(v: number, verb: string, defaultPrec: number): void {
    const f = this.f;
    const prec = f.precPresent ? f.prec : defaultPrec;
    let num = formatFloat(v, verb, prec);
    num = num[0] === '-' || num[0] === '+' ? num : `+${num}`;
    if (f.space && num[0] === '+' && !f.plus) num = ` ${num.slice(1)}`;
    // (Inf and NaN are handled by Go here; JSON cannot carry them, so they never arrive.)
    if (f.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
      let tail = '';
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const c = num[i]!;
        if (c === '.') {
          hasDecimalPoint = true;
        } else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
          tail = num.slice(i);
          num = num.slice(0, i);
          break;
        } else {
          if (c !== '0') sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--; // count significant digits after the first non-zero one
        }
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === '0') digits--; // a lone leading 0 counts once
        num += '.';
      }
      if (digits > 0) num += '0'.repeat(digits);
      num += tail;
    }
    if (f.plus || num[0] !== '+') {
      // Zero padding goes between the sign and the digits.
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.out += num[0]! + this.padding(f.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }
}

/** parsenum: a decimal number at s[start:end]; a number over 1e6 is "crazy long" and consumes the rest. */
function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return [num, isnum, i];
}

const tooLarge = (x: number) => x > 1e6 || x < -1e6;

/** parseArgNumber: `[n]` at format[0] as a zero-based index, the bytes to consume, and whether it parsed. */
function parseArgNumber(format: string): [number, number, boolean] {
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === ']') {
      const [width, ok, newi] = parsenum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true];
    }
  }
  return [0, 1, false];
}

/** intFromArg: a `*` width or precision must be an int argument within ±1e6. */
function intFromArg(a: GoValue[], argNum: number): [number, boolean, number] {
  if (argNum >= a.length) return [0, false, argNum];
  const arg = a[argNum]!;
  let num = arg.type === 'int64' ? arg.value : 0;
  let isInt = arg.type === 'int64';
  if (tooLarge(num)) {
    num = 0;
    isInt = false;
  }
  return [num, isInt, argNum + 1];
}

// ---------------------------------------------------------------------------------------------------------------
// strconv: quoting

/** utf8.ValidRune after fmt's uint64 > MaxRune check: surrogates and out-of-range values become U+FFFD. */
function validRune(u: bigint): number {
  if (u > 0x10ffffn) return 0xfffd;
  const r = Number(u);
  return r >= 0xd800 && r <= 0xdfff ? 0xfffd : r;
}

/** strconv.Quote / QuoteToASCII / QuoteRune with the given quote character. */
function quote(s: string, quoteChar: '"' | "'", asciiOnly: boolean): string {
  let out = quoteChar;
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (ch === quoteChar || ch === '\\') {
      out += `\\${ch}`;
    } else if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) {
      out += ch;
    } else {
      out += escapeRune(r);
    }
  }
  return out + quoteChar;
}

const SHORT_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

/** The escape half of strconv.appendEscapedRune. */
function escapeRune(r: number): string {
  const short = SHORT_ESCAPES[r];
  if (short) return short;
  if (r < 0x20 || r === 0x7f) return `\\x${r.toString(16).padStart(2, '0')}`;
  if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
  if (r < 0x10000) return `\\u${r.toString(16).padStart(4, '0')}`;
  return `\\U${r.toString(16).padStart(8, '0')}`;
}

/** strconv.CanBackquote: no control characters but tab, no backquote, no BOM. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r === 0xfeff) return false;
    if (r >= 0x80) continue;
    if ((r < 0x20 && r !== 0x09) || r === 0x60 || r === 0x7f) return false;
  }
  return true;
}

const GRAPHIC = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/**
 * Code points the JavaScript regex calls printable but Go 1.26 does not: characters assigned after Unicode 15.0, the
 * version of Go's tables (Node 20's ICU knows Unicode 17). Computed by comparing strconv.IsPrint with GRAPHIC over all
 * code points; the other direction had no differences. A Node with a newer Unicode would need this list extended.
 */
const NEWER_THAN_GO_UNICODE: ReadonlyArray<readonly [number, number]> = [
  [0x88f, 0x88f], [0x897, 0x897], [0xc5c, 0xc5c], [0xcdc, 0xcdc], [0x1acf, 0x1add], [0x1ae0, 0x1aeb],
  [0x1b4e, 0x1b4f], [0x1b7f, 0x1b7f], [0x1c89, 0x1c8a], [0x20c1, 0x20c1], [0x2427, 0x2429], [0x2b96, 0x2b96],
  [0x2ffc, 0x2fff], [0x31e4, 0x31e5], [0x31ef, 0x31ef], [0xa7cb, 0xa7cf], [0xa7d2, 0xa7d2], [0xa7d4, 0xa7d4],
  [0xa7da, 0xa7dc], [0xa7f1, 0xa7f1], [0xfbc3, 0xfbd2], [0xfd90, 0xfd91], [0xfdc8, 0xfdce], [0x105c0, 0x105f3],
  [0x10940, 0x10959], [0x10d40, 0x10d65], [0x10d69, 0x10d85], [0x10d8e, 0x10d8f], [0x10ec2, 0x10ec7],
  [0x10ed0, 0x10ed8], [0x10efa, 0x10efc], [0x11380, 0x11389], [0x1138b, 0x1138b], [0x1138e, 0x1138e],
  [0x11390, 0x113b5], [0x113b7, 0x113c0], [0x113c2, 0x113c2], [0x113c5, 0x113c5], [0x113c7, 0x113ca],
  [0x113cc, 0x113d5], [0x113d7, 0x113d8], [0x113e1, 0x113e2], [0x116d0, 0x116e3], [0x11b60, 0x11b67],
  [0x11bc0, 0x11be1], [0x11bf0, 0x11bf9], [0x11db0, 0x11ddb], [0x11de0, 0x11de9], [0x11f5a, 0x11f5a],
  [0x13460, 0x143fa], [0x16100, 0x16139], [0x16d40, 0x16d79], [0x16ea0, 0x16eb8], [0x16ebb, 0x16ed3],
  [0x16ff2, 0x16ff6], [0x187f8, 0x187ff], [0x18cff, 0x18cff], [0x18d09, 0x18d1e], [0x18d80, 0x18df2],
  [0x1cc00, 0x1ccfc], [0x1cd00, 0x1ceb3], [0x1ceba, 0x1ced0], [0x1cee0, 0x1cef0], [0x1e5d0, 0x1e5fa],
  [0x1e5ff, 0x1e5ff], [0x1e6c0, 0x1e6de], [0x1e6e0, 0x1e6f5], [0x1e6fe, 0x1e6ff], [0x1f6d8, 0x1f6d8],
  [0x1f777, 0x1f77a], [0x1f8b2, 0x1f8bb], [0x1f8c0, 0x1f8c1], [0x1f8d0, 0x1f8d8], [0x1fa54, 0x1fa57],
  [0x1fa89, 0x1fa8a], [0x1fa8e, 0x1fa8f], [0x1fabe, 0x1fabe], [0x1fac6, 0x1fac6], [0x1fac8, 0x1fac8],
  [0x1facd, 0x1facd], [0x1fadc, 0x1fadc], [0x1fadf, 0x1fadf], [0x1fae9, 0x1faea], [0x1faef, 0x1faef],
  [0x1fbcb, 0x1fbef], [0x1fbfa, 0x1fbfa], [0x2b73a, 0x2b73f], [0x2cea2, 0x2cead], [0x2ebf0, 0x2ee5d],
  [0x323b0, 0x33479],
];

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(r: number): boolean {
  if (r <= 0xff) return (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r <= 0xff && r !== 0xad);
  if (r >= 0xd800 && r <= 0xdfff) return false;
  if (!GRAPHIC.test(String.fromCodePoint(r))) return false;
  return !NEWER_THAN_GO_UNICODE.some(([from, to]) => r >= from && r <= to);
}

// ---------------------------------------------------------------------------------------------------------------
// strconv: float formatting (ftoa.go, decimal.go)

/** A decimal 0.d × 10^dp, as strconv's decimalSlice (d without trailing zeros; empty for zero). */
interface Decimal {
  d: string;
  dp: number;
}

/** strconv.FormatFloat(v, fmt, prec, 64) for finite v. */
function formatFloat(v: number, fmt: string, prec: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const neg = bits >> 63n !== 0n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++; // subnormal
  else mant |= 1n << 52n;
  exp -= 1023;

  if (fmt === 'b') return `${neg ? '-' : ''}${mant}p${exp - 52 >= 0 ? '+' : ''}${exp - 52}`;
  if (fmt === 'x' || fmt === 'X') return fmtX(prec, fmt, neg, mant, exp);

  const shortest = prec < 0;
  let digs: Decimal = { d: '', dp: 0 };
  if (mant !== 0n) {
    if (shortest) {
      // JavaScript's Number-to-string is also the shortest decimal that reads back to v (nearest on ties), as Go's
      // Dragonbox; toExponential() without an argument gives exactly those digits.
      const [m, e] = Math.abs(v).toExponential().split('e');
      digs = { d: m!.replace('.', ''), dp: Number(e) + 1 };
    } else {
      // Go rounds the exact binary value half to even; toFixed/toPrecision round ties away from zero and stop at 100
      // digits, so round the exact decimal expansion ourselves.
      digs = exactDecimal(mant, exp - 52);
    }
  }
  if (shortest) {
    if (digs.d.length > 0) {
      if (fmt === 'e' || fmt === 'E') prec = Math.max(digs.d.length - 1, 0);
      else if (fmt === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
      else prec = digs.d.length;
    }
  } else if (digs.d.length > 0) {
    if (fmt === 'e' || fmt === 'E') digs = round(digs, prec + 1);
    else if (fmt === 'f') digs = round(digs, digs.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = round(digs, prec);
    }
  }
  return (neg ? '-' : '') + formatDigits(shortest, digs, prec, fmt);
}

/** The exact decimal value of mant × 2^exp2 (always finite). */
function exactDecimal(mant: bigint, exp2: number): Decimal {
  let digits: string;
  let dp: number;
  if (exp2 >= 0) {
    digits = (mant << BigInt(exp2)).toString();
    dp = digits.length;
  } else {
    // mant / 2^k = mant × 5^k / 10^k
    digits = (mant * 5n ** BigInt(-exp2)).toString();
    dp = digits.length + exp2;
  }
  return { d: digits.replace(/0+$/, ''), dp };
}

/** decimal.Round: nd digits, half to even on the exact value; trailing zeros trimmed. */
function round(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  let up: boolean;
  if (a.d[nd] === '5' && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 !== 0;
  else up = a.d[nd]! >= '5';
  if (!up) return { d: a.d.slice(0, nd).replace(/0+$/, ''), dp: nd === 0 ? 0 : a.dp };
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
}

/** strconv.formatDigits: %e, %f, and %g's choice between them. */
function formatDigits(shortest: boolean, digs: Decimal, prec: number, fmt: string): string {
  const nd = digs.d.length;
  if (fmt === 'e' || fmt === 'E') return fmtE(digs, prec, fmt);
  if (fmt === 'f') return fmtF(digs, prec);
  let eprec = prec;
  if (eprec > nd && nd >= digs.dp) eprec = nd;
  if (shortest) eprec = 6; // %v and %g without precision switch to an exponent at 1e+06 and below 1e-04
  const exp = digs.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = nd;
    return fmtE(digs, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > digs.dp) prec = nd;
  return fmtF(digs, Math.max(prec - digs.dp, 0));
}

function fmtE(d: Decimal, prec: number, fmt: string): string {
  const nd = d.d.length;
  let out = nd !== 0 ? d.d[0]! : '0';
  if (prec > 0) out += `.${d.d.slice(1, Math.min(nd, prec + 1)).padEnd(prec, '0')}`;
  let exp = nd === 0 ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${fmt}${sign}${exp < 10 ? `0${exp}` : exp}`;
}

function fmtF(d: Decimal, prec: number): string {
  const nd = d.d.length;
  let out = d.dp > 0 ? d.d.slice(0, Math.min(nd, d.dp)).padEnd(d.dp, '0') : '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j >= 0 && j < nd ? d.d[j] : '0';
    }
  }
  return out;
}

/** strconv.fmtX: hexadecimal mantissa and binary exponent, %x of a float (uint64 arithmetic done in BigInt). */
function fmtX(prec: number, fmt: string, neg: boolean, mant: bigint, exp: number): string {
  const u64 = (x: bigint) => BigInt.asUintN(64, x);
  if (mant === 0n) exp = 0;
  mant <<= 8n; // leading 1 at bit 60
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = u64(mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = (nibble: bigint) => {
    const c = nibble.toString(16);
    return fmt === 'X' ? c.toUpperCase() : c;
  };
  let out = `${neg ? '-' : ''}0${fmt}${(mant >> 60n) & 1n}`;
  mant = u64(mant << 4n);
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex((mant >> 60n) & 15n);
      mant = u64(mant << 4n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex((mant >> 60n) & 15n);
      mant = u64(mant << 4n);
    }
  }
  out += fmt === 'X' ? 'P' : 'p';
  out += exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return out + (exp < 10 ? `0${exp}` : String(exp));
}
