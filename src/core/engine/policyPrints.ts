/**
 * print() output of a policy evaluation. The embedded compiler keeps print statements (compiler/print.go): OPA rewrites
 * `print(a, b)` into `internal.print([{a}, {b}])`, an import the engine answers with `capture`, and the compiler adds
 * the call's `file:line` as a first operand, because OPA's wasm ABI gives a builtin nothing but its arguments.
 */
import { regoSprintf } from './regoSprintf';
import type { RawResults } from './policyEngine';

/** One line a policy printed; `line` when the print's location is known. `file` is empty when not even that is. */
export interface PolicyPrint {
  file: string;
  line?: number;
  text: string;
}

/** The builtin OPA rewrites print() into. */
export const INTERNAL_PRINT = 'internal.print';

/** Must match printLocationPrefix in compiler/print.go. */
const LOCATION_PREFIX = '\u0000credcheck-print:';

/**
 * Bounds of what one evaluation keeps: a print in a rule body runs once per user (or per pair of users), and a
 * 5,000-user report would otherwise put millions of lines into a log channel or a terminal.
 */
export const MAX_PRINT_LINES = 1000;
export const MAX_PRINT_BYTES = 64 * 1024;

/** The lines of one evaluation, up to the bounds, and what was dropped past them. */
export class PrintCapture {
  private readonly kept: PolicyPrint[] = [];
  private bytes = 0;
  private droppedLines = 0;
  private droppedBytes = 0;
  private lastFile = '';

  constructor(
    private readonly maxLines = MAX_PRINT_LINES,
    private readonly maxBytes = MAX_PRINT_BYTES,
  ) {}

  /** The internal.print builtin: `operands` is the array of sets (as JSON arrays) OPA built from print's arguments. */
  capture(operands: unknown): void {
    const values = Array.isArray(operands) ? [...operands] : [];
    let file = '';
    let line: number | undefined;
    const first = values[0];
    if (Array.isArray(first) && first.length === 1 && typeof first[0] === 'string' && first[0].startsWith(LOCATION_PREFIX)) {
      values.shift();
      const location = first[0].slice(LOCATION_PREFIX.length);
      const match = /^(.*):(\d+)$/.exec(location);
      file = match ? match[1]! : location;
      line = match ? Number(match[2]) : undefined;
    }
    this.lastFile = file || this.lastFile;
    for (const text of printLines(values)) this.add({ file, ...(line !== undefined ? { line } : {}), text });
  }

  private add(print: PolicyPrint): void {
    const size = Buffer.byteLength(print.text) + 1;
    if (this.droppedLines > 0 || this.kept.length >= this.maxLines || this.bytes + size > this.maxBytes) {
      this.droppedLines++;
      this.droppedBytes += size;
      return;
    }
    this.kept.push(print);
    this.bytes += size;
  }

  /** What was printed; past the bounds, one more line says how much was dropped. */
  lines(): PolicyPrint[] {
    if (this.droppedLines === 0) return [...this.kept];
    const text =
      `${this.droppedLines} more print line${this.droppedLines === 1 ? '' : 's'} (${formatBytes(this.droppedBytes)}) dropped: ` +
      `at most ${this.maxLines} lines or ${formatBytes(this.maxBytes)} are kept per evaluation`;
    return [...this.kept, { file: this.lastFile, text }];
  }
}

/**
 * The text lines of one print call, as OPA's topdown prints them (topdown/print.go): arguments joined by a space, a
 * string as is, any other value as Rego text, an undefined argument as `<undefined>`, and one line per combination when
 * an argument has several values.
 */
export function printLines(operands: unknown[]): string[] {
  let lines = [''];
  operands.forEach((operand, index) => {
    const values = Array.isArray(operand) ? operand : [operand];
    const texts = values.length === 0 ? ['<undefined>'] : values.map((value) => regoSprintf('%v', [value]));
    lines = lines.flatMap((prefix) => texts.map((text) => (index === 0 ? text : `${prefix} ${text}`)));
  });
  return lines;
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${Number((bytes / 1024).toFixed(1))} KiB`;
}

/** Where RawResults carry their prints: a symbol, not enumerable, so code that walks the documents never sees it. */
const PRINTS = Symbol('credcheck.prints');

/** Attaches an evaluation's prints to its results (nothing when there were none). */
export function attachPrints(results: RawResults, prints: PolicyPrint[] | undefined): RawResults {
  if (prints && prints.length > 0) Object.defineProperty(results, PRINTS, { value: prints, enumerable: false, configurable: true });
  return results;
}

/** The prints of an evaluation, empty when it printed nothing. */
export function printsOf(results: RawResults | undefined): PolicyPrint[] {
  return ((results as Record<symbol, PolicyPrint[] | undefined> | undefined)?.[PRINTS] ?? []) as PolicyPrint[];
}

/** `file:line` of a print, or just the file when its line is unknown: how the CLI and the log name it. */
export function printLocation(print: PolicyPrint): string {
  return print.line !== undefined ? `${print.file}:${print.line}` : print.file;
}
