// The SQL baseline of `npm run bench` (issue 18): the default bundled checks as SQL (bench/sqlBaseline.sql) run by the
// sqlite3 shell over the raw CSV, and the comparison of its findings with credcheck's, so the peer is known to do the
// same work. Used by bench/run.mjs; test/unit/bench/sqlBaseline.test.ts runs the same SQL the same way (it cannot load
// an ES module) and checks it against the audit on small reports.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SQL_FILE = join(dirname(fileURLToPath(import.meta.url)), 'sqlBaseline.sql');

/** /usr/bin/sqlite3 (Debian's sqlite3 package), else undefined. */
export const findSqlite = () => ['/usr/bin/sqlite3', '/usr/local/bin/sqlite3'].find((path) => existsSync(path));

/**
 * The sqlite3 command line that loads `csvFile` into an in-memory table `raw`, binds the evaluation time and prints the
 * baseline's findings as one JSON array. The CSV path goes into a dot-command: it must not hold a quote or newline.
 */
export function sqliteArguments(csvFile, now) {
  if (/["'\n\r]/.test(csvFile) || /["'\n\r]/.test(now)) throw new Error(`sqlBaseline: a quote or newline in ${JSON.stringify(csvFile)} or ${JSON.stringify(now)}`);
  return ['-batch', '-bail', ':memory:', `.import --csv "${csvFile}" raw`, `.parameter set @now '${now}'`, '.mode json', `.read "${SQL_FILE}"`];
}

/** The sqlite3 shell's stdout as findings; `[]` when it printed nothing (no finding: `.mode json` prints no `[]`). */
export const parseSqlFindings = (stdout) => (stdout.trim() === '' ? [] : JSON.parse(stdout));

/** What identifies a finding in both outputs: check, status, line, key and the cell's column. */
export const findingKey = (finding) => [finding.check, finding.status, finding.line, finding.key ?? '', finding.field ?? finding.column ?? ''].join('|');

/** Findings per `check/status`, sorted by name. */
export function countsByCheck(findings) {
  const counts = {};
  for (const finding of findings) counts[`${finding.check}/${finding.status}`] = (counts[`${finding.check}/${finding.status}`] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Compares credcheck's findings (its --format json `findings`) with the baseline's: the counts per check and status,
 * and the findings themselves by findingKey. Returns the differences as text lines; [] when they agree.
 */
export function compareWithCredcheck(credcheckFindings, sqlFindings) {
  const differences = [];
  const ours = countsByCheck(credcheckFindings);
  const theirs = countsByCheck(sqlFindings);
  for (const name of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    if (ours[name] !== theirs[name]) differences.push(`${name}: credcheck ${ours[name] ?? 0}, sqlite ${theirs[name] ?? 0}`);
  }
  const sqlKeys = new Set(sqlFindings.map(findingKey));
  const credcheckKeys = new Set(credcheckFindings.map(findingKey));
  const missing = [...credcheckKeys].filter((key) => !sqlKeys.has(key));
  const extra = [...sqlKeys].filter((key) => !credcheckKeys.has(key));
  if (missing.length > 0) differences.push(`${missing.length} credcheck findings not in the SQL output, e.g. ${missing.slice(0, 3).join(', ')}`);
  if (extra.length > 0) differences.push(`${extra.length} SQL findings not in credcheck's output, e.g. ${extra.slice(0, 3).join(', ')}`);
  return differences;
}

/** Runs the baseline on one report and returns its findings (for checks and tests; the bench times the spawn itself). */
export function runSqlBaseline(csvFile, now, sqlite = findSqlite()) {
  if (!sqlite) throw new Error('sqlBaseline: sqlite3 is not installed (apt-get install sqlite3)');
  const result = spawnSync(sqlite, sqliteArguments(csvFile, now), { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`sqlBaseline: sqlite3 failed on ${csvFile} (${result.status ?? result.signal}): ${result.stderr}`);
  return parseSqlFindings(result.stdout);
}

// `node bench/sqlBaseline.mjs <report.csv> <now>`: the baseline's findings as one JSON line (for the unit test, which
// cannot import this ES module from CommonJS).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [csvFile, now] = process.argv.slice(2);
  process.stdout.write(`${JSON.stringify(runSqlBaseline(csvFile, now))}\n`);
}
