import { CellLocation } from '../model';

/**
 * Maps offsets in a text to 1-based lines and 0-based UTF-16 columns, and finds where each cell of a CSV record sits.
 *
 * csv-parse gives the cell values and the raw text of each record but not where the cells are; diagnostics must point
 * at the cell, so the record's raw text is scanned again here with the same quoting rules.
 */
export class CellLocator {
  private readonly lineStarts: number[] = [0];

  /** `text` must use `\n` line breaks only (the parser normalises them; columns do not move when it does). */
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line of an offset. */
  lineOf(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }

  /** Length of a 1-based line, without its line break. */
  lineLength(line: number): number {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line];
    return (next === undefined ? this.text.length : next - 1) - start;
  }

  /**
   * The location of the text between two offsets. A cell that spans lines (a quoted cell with a line break) is
   * located on its first line, up to that line's end: an editor range on one line is what a diagnostic needs.
   */
  locate(start: number, end: number): CellLocation {
    const line = this.lineOf(start);
    const lineStart = this.lineStarts[line - 1];
    const startColumn = start - lineStart;
    const endColumn = this.lineOf(end) === line ? end - lineStart : this.lineLength(line);
    return { line, startColumn, endColumn };
  }

  /** A whole line, for cells whose exact place cannot be found. */
  wholeLine(line: number): CellLocation {
    return { line, startColumn: 0, endColumn: this.lineLength(line) };
  }

  /**
   * Offsets of each cell's text (quotes excluded) in a record whose raw text starts at `base`. `values` are the cells
   * csv-parse read; a cell whose value kept its opening quote (a malformed quote csv-parse relaxed) is located with it.
   */
  cellRanges(raw: string, base: number, values: readonly string[]): Array<[number, number]> {
    const ranges: Array<[number, number]> = [];
    let i = 0;
    for (;;) {
      const index = ranges.length;
      if (raw[i] === '"') {
        let j = i + 1;
        while (j < raw.length) {
          if (raw[j] === '"') {
            if (raw[j + 1] === '"') {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        let k = j + 1;
        while (k < raw.length && raw[k] !== ',') k++;
        // A well-quoted value may itself start with a quote (`"""x"""` reads `"x"`): only a value that differs from the
        // unescaped text is one where csv-parse relaxed a malformed quote and kept it.
        const value = values[index];
        const keptQuote = value !== undefined && value.startsWith('"') && value !== raw.slice(i + 1, j).replace(/""/g, '"');
        ranges.push(keptQuote ? [base + i, base + Math.min(k, raw.length)] : [base + i + 1, base + Math.min(j, raw.length)]);
        if (k >= raw.length) break;
        i = k + 1;
      } else {
        let k = i;
        while (k < raw.length && raw[k] !== ',') k++;
        ranges.push([base + i, base + k]);
        if (k >= raw.length) break;
        i = k + 1;
      }
    }
    return ranges;
  }
}
