/**
 * Finds the rows of a credential report that a stray quote has damaged, before csv-parse reads the text.
 *
 * By CSV's grammar a quote at the start of a cell opens a cell that runs, across line breaks, to the next quote. One
 * stray `"` therefore turns every later line into part of one cell: csv-parse either fails at the end of the file
 * (CSV_QUOTE_NOT_CLOSED) or, when a later quote closes the cell, silently merges the rows in between into one value.
 * Its own recovery (`skip_records_with_error`) resumes where it noticed the error, which is the end of the file or the
 * middle of a later line, and `relax_quotes` only covers quotes inside unquoted cells. Where the damaged row ends is
 * knowledge about credential reports, not about CSV: every row starts with a user name and an IAM ARN. So a quoted
 * cell that would run into a line that starts such a row is a stray quote, and a quoted cell still open at the end of
 * the file is one too. A quoted cell whose line breaks lead to lines that do not start a row (a note across lines) is
 * read as before.
 *
 * The text is scanned here with csv-parse's rules as the parser configures it (a quote opens a cell only as the cell's
 * first character; `""` inside a quoted cell is a quote; a closing quote followed by anything but a comma or a line
 * break leaves the rest of the cell as plain text, as `relax_quotes` does). The damaged rows are then blanked with
 * spaces, line breaks kept, so csv-parse still reads every other row and every offset, line and column stays the same.
 */

/** A row set aside because a quote in it opened a cell that never closes where a row of the report could. */
export interface DamagedRow {
  /** Offset of the quote that opened the runaway cell. */
  quote: number;
  /** 0-based index of the cell the quote opened. */
  cellIndex: number;
  /** Offset where the row starts, and the offset after its last character (a line break or the end of the text). */
  start: number;
  end: number;
  /** `next-row`: the cell would run into a line that starts a row; `end-of-file`: it is still open at the end. */
  reason: 'next-row' | 'end-of-file';
  /** The header cannot be skipped without losing every row: its stray quote is read as a space instead. */
  header: boolean;
}

export interface RowRecovery {
  /** The text with damaged rows blanked (same length, same line breaks) and header stray quotes read as spaces. */
  text: string;
  damaged: DamagedRow[];
  /** Where the `user` and `arn` cells are, from the header (AWS writes them first). */
  userIndex: number;
  arnIndex: number;
}

const QUOTE = 34;
const COMMA = 44;
const NEWLINE = 10;

// Every partition (aws, aws-cn, aws-us-gov, aws-iso, ...) writes IAM ARNs as arn:<partition>:iam::<account>:...
const IAM_ARN = /^arn:aws[a-z-]*:iam::/;

/** `text` must use `\n` line breaks only, as the parser gives it. */
export function setAsideDamagedRows(text: string): RowRecovery {
  const headerStart = text.search(/[^\n]/);
  const names = headerStart < 0 ? [] : leadingCells(text, headerStart, Infinity).map((name) => name.replace(/"/g, '').trim());
  const userIndex = names.includes('user') ? names.indexOf('user') : 0;
  const arnIndex = names.includes('arn') ? names.indexOf('arn') : 1;
  const startsRow = (offset: number): boolean => {
    const cells = leadingCells(text, offset, Math.max(userIndex, arnIndex) + 1);
    // `a",arn:...` is where a quoted cell across lines (a user name holding a line break) closes, not a new row: a
    // first cell holds no quote but a leading one (a stray quote of its own) unless it is a well-quoted cell.
    const start = text.slice(offset, offset + 4096);
    if (!/^"(?:[^"\n]|"")*"(?:,|\n|$)/.test(start) && /^[^,\n]*/.exec(start)![0].slice(1).includes('"')) return false;
    const arn = cells[arnIndex]?.trim().replace(/^"/, '') ?? '';
    return (cells[userIndex]?.replace(/"/g, '').trim() ?? '') !== '' && IAM_ARN.test(arn);
  };

  const headerQuotes = new Set<number>();
  const damaged: DamagedRow[] = [];
  let from = 0;
  let readingHeader = true;
  for (;;) {
    const found = firstDamagedRow(text, from, readingHeader, headerQuotes, startsRow);
    if (!found) break;
    if (found.header) {
      // Read the header again from its start with the quote taken as a space: its cells stay where they were.
      headerQuotes.add(found.quote);
      damaged.push(found);
      continue;
    }
    damaged.push(found);
    readingHeader = false;
    if (found.end >= text.length) break;
    from = found.end + 1;
  }
  if (damaged.length === 0) return { text, damaged, userIndex, arnIndex };

  const parts: string[] = [];
  let cursor = 0;
  for (const row of damaged) {
    if (row.header) {
      parts.push(text.slice(cursor, row.quote), ' ');
      cursor = row.quote + 1;
    } else {
      parts.push(text.slice(cursor, row.start), text.slice(row.start, row.end).replace(/[^\n]/g, ' '));
      cursor = row.end;
    }
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), damaged, userIndex, arnIndex };
}

/**
 * The first damaged row from `from` (the start of a record) on, or undefined when the rest reads cleanly. `header` says
 * whether the first non-empty record from `from` is the header; quotes in `ignoredQuotes` are read as plain text.
 */
function firstDamagedRow(
  text: string,
  from: number,
  header: boolean,
  ignoredQuotes: ReadonlySet<number>,
  startsRow: (offset: number) => boolean,
): DamagedRow | undefined {
  const length = text.length;
  let recordStart = from;
  let cellIndex = 0;
  let inHeader = header;
  let recordHasText = false;
  let i = from;
  const endRecord = (next: number) => {
    if (recordHasText) inHeader = false;
    recordStart = next;
    cellIndex = 0;
    recordHasText = false;
  };
  while (i < length) {
    if (text.charCodeAt(i) === QUOTE && !ignoredQuotes.has(i)) {
      const quote = i;
      recordHasText = true;
      let j = i + 1;
      for (;;) {
        if (j >= length) return { quote, cellIndex, start: recordStart, end: length, reason: 'end-of-file', header: inHeader };
        const code = text.charCodeAt(j);
        if (code === NEWLINE) {
          if (startsRow(j + 1)) return { quote, cellIndex, start: recordStart, end: j, reason: 'next-row', header: inHeader };
        } else if (code === QUOTE) {
          if (text.charCodeAt(j + 1) !== QUOTE) break;
          j++;
        }
        j++;
      }
      i = j + 1;
      // A closing quote followed by anything but a comma or a line break: the rest of the cell is plain text.
    }
    while (i < length) {
      const code = text.charCodeAt(i);
      if (code === COMMA || code === NEWLINE) break;
      if (code !== 32 && code !== 9) recordHasText = true;
      i++;
    }
    if (i >= length) break;
    if (text.charCodeAt(i) === COMMA) {
      recordHasText = true;
      cellIndex++;
      i++;
    } else {
      i++;
      endRecord(i);
    }
  }
  return undefined;
}

/**
 * The first `count` cells of the line starting at `start`, read leniently: a quoted cell counts only when it closes on
 * the line; any other quote is plain text. Used to recognise a line that starts a row whatever quotes it holds.
 */
export function leadingCells(text: string, start: number, count: number): string[] {
  const cells: string[] = [];
  let i = start;
  const length = text.length;
  while (cells.length < count) {
    let cell: string | undefined;
    if (text.charCodeAt(i) === QUOTE) {
      let j = i + 1;
      let value = '';
      let closed = false;
      while (j < length && text.charCodeAt(j) !== NEWLINE) {
        if (text.charCodeAt(j) === QUOTE) {
          if (text.charCodeAt(j + 1) === QUOTE) {
            value += '"';
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        value += text[j];
        j++;
      }
      const after = text.charCodeAt(j + 1);
      if (closed && (j + 1 >= length || after === COMMA || after === NEWLINE)) {
        cell = value;
        i = j + 1;
      }
    }
    if (cell === undefined) {
      let k = i;
      while (k < length && text.charCodeAt(k) !== COMMA && text.charCodeAt(k) !== NEWLINE) k++;
      cell = text.slice(i, k);
      i = k;
    }
    cells.push(cell);
    if (i >= length || text.charCodeAt(i) !== COMMA) break;
    i++;
  }
  return cells;
}
