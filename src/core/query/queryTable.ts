/**
 * The shape a query answer is shown in: rows and named columns, whatever the Rego value was. Cells keep their JSON
 * values (the text rendering is done by the output formats), so exports lose nothing.
 */

export interface QueryTable {
  /**
   * - `records`: a list or set of objects, one column per key;
   * - `values`: a list or set of anything else, one `value` column;
   * - `tuples`: a list or set of lists, one column per position;
   * - `entries`: an object, `key` and `value` columns (or `key` plus one column per key when every value is an object);
   * - `scalar`: one cell;
   * - `undefined`: the query had no value (no rows, no columns).
   */
  kind: 'records' | 'values' | 'tuples' | 'entries' | 'scalar' | 'undefined';
  columns: string[];
  rows: unknown[][];
}

export interface TableShapeOptions {
  /** Preferred column order (usually the keys in the order the query wrote them); other columns follow as found. */
  columnOrder?: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Union of the keys of the records, ordered by the preferred order first and then by first appearance. */
function unionOfKeys(records: Record<string, unknown>[], preferred: string[]): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) seen.add(key);
  const ordered = preferred.filter((key) => seen.has(key));
  const rest = [...seen].filter((key) => !ordered.includes(key));
  // OPA sorts object keys, so without a hint the user name would land wherever the alphabet puts it.
  const userFirst = rest.filter((key) => key === 'user' || key === 'user_name');
  return [...new Set([...ordered, ...userFirst, ...rest])];
}

/** Shapes one Rego value (as JSON: sets arrive as arrays) into a table. `undefined` means the query had no value. */
export function shapeQueryTable(value: unknown, options: TableShapeOptions = {}): QueryTable {
  const preferred = options.columnOrder ?? [];
  if (value === undefined) return { kind: 'undefined', columns: [], rows: [] };
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isRecord)) {
      const columns = unionOfKeys(value, preferred);
      // A key missing from one object is an empty cell (null), like a SQL outer join would show it.
      return { kind: 'records', columns, rows: value.map((record) => columns.map((column) => (column in record ? record[column] : null))) };
    }
    if (value.length > 0 && value.every(Array.isArray)) {
      const width = Math.max(...value.map((tuple) => tuple.length));
      const columns = Array.from({ length: width }, (_, index) => String(index + 1));
      return { kind: 'tuples', columns, rows: value.map((tuple) => columns.map((_, index) => (index < tuple.length ? tuple[index] : null))) };
    }
    return { kind: 'values', columns: ['value'], rows: value.map((item) => [item]) };
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    const records = entries.filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]));
    if (entries.length > 0 && records.length === entries.length) {
      const columns = unionOfKeys(records.map(([, record]) => record), preferred).filter((column) => column !== 'key');
      return {
        kind: 'entries',
        columns: ['key', ...columns],
        rows: records.map(([key, record]) => [key, ...columns.map((column) => (column in record ? record[column] : null))]),
      };
    }
    return { kind: 'entries', columns: ['key', 'value'], rows: entries.map(([key, item]) => [key, item]) };
  }
  return { kind: 'scalar', columns: ['value'], rows: [[value]] };
}

/**
 * The table of one report's answer: the rows of a body as they are (columns are variables and expressions, as
 * `opa eval` prints them), any other value shaped by shapeQueryTable.
 */
export function tableOfAnswer(answer: { defined: boolean; value: unknown; columns?: string[]; rows?: unknown[][] }, options: TableShapeOptions = {}): QueryTable {
  if (answer.defined && answer.columns && answer.rows) return { kind: 'records', columns: answer.columns, rows: answer.rows };
  return shapeQueryTable(answer.defined ? answer.value : undefined, options);
}

/**
 * Puts the tables of several reports into one, with a leading `report` column. Undefined answers contribute no rows;
 * tables of different kinds are merged by column name (missing cells are null).
 */
export function combineReportTables(tables: { file: string; table: QueryTable }[]): QueryTable {
  const defined = tables.filter(({ table }) => table.kind !== 'undefined');
  if (defined.length === 0) return { kind: 'undefined', columns: [], rows: [] };
  const columns: string[] = [];
  for (const { table } of defined) for (const column of table.columns) if (!columns.includes(column)) columns.push(column);
  const reportColumn = columns.includes('report') ? 'report_file' : 'report';
  const kinds = new Set(defined.map(({ table }) => table.kind));
  return {
    kind: kinds.size === 1 ? defined[0]!.table.kind : 'records',
    columns: [reportColumn, ...columns],
    rows: defined.flatMap(({ file, table }) =>
      table.rows.map((row) => [file, ...columns.map((column) => {
        const index = table.columns.indexOf(column);
        return index < 0 ? null : row[index];
      })]),
    ),
  };
}

/**
 * The keys of object literals in the query text, in the order written: `{"user": u.user, "mfa": u.mfa_active}` gives
 * `user, mfa`. Rego objects come back with sorted keys; this restores the author's column order.
 */
export function columnOrderOf(queryText: string): string[] {
  const keys: string[] = [];
  for (const match of queryText.matchAll(/"((?:[^"\\\n]|\\.)+)"\s*:(?!=)/g)) {
    const key = match[1]!;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** The column that names an IAM user (so a row can be revealed in the report), or -1. */
export function userColumnIndex(table: QueryTable): number {
  for (const name of ['user', 'user_name', 'username']) {
    const index = table.columns.indexOf(name);
    if (index >= 0) return index;
  }
  return table.kind === 'values' && table.rows.every(([cell]) => typeof cell === 'string') ? 0 : -1;
}
