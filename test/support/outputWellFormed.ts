/**
 * Whether every output format of a result is well-formed whatever the report text was: shared by the hostile-names
 * unit test and the fuzz script, which feed it user names full of control, bidi and XML-invalid characters.
 *
 * - json and sarif parse, and keep each finding's user exactly; sarif validates against the SARIF 2.1.0 schema;
 * - junit is well-formed XML 1.0: only XML 1.0 characters (the Char production), one root, and sax's strict parser
 *   accepts it (sax does not check characters itself, hence the explicit Char check; a conformant parser such as
 *   saxes would replace both: see parseXml);
 * - csv parses back with csv-parse to one row per finding with the finding's fields (formula cells neutralised);
 * - markdown has no raw `<` but our `<br>`, no table row with a pipe too many, and no control or bidi character;
 * - table, plain and on an 80-column colour terminal, has no control or bidi character (but the colours) and, on the
 *   terminal, no line wider than 80 columns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { parse as parseCsv } from 'csv-parse/sync';
import sax from 'sax';
import { neutraliseCell } from '../../src/core/output/csvFormatter';
import { getFormatter } from '../../src/core/output/formatter';
import { DisplayOptions, OutputContext } from '../../src/core/output/outputModel';
import { hasTerminalControls } from '../../src/core/text/terminalText';
import { displayWidth } from '../../src/core/text/textWidth';

const REPOSITORY = join(__dirname, '..', '..', '..');

let validateSarif: ((document: unknown) => boolean) & { errors?: unknown } | undefined;

function sarifValidator() {
  if (!validateSarif) {
    const schema = JSON.parse(readFileSync(join(REPOSITORY, 'test/fixtures/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
    // The schema's language pattern is not valid in unicode mode.
    const ajv = new Ajv({ allErrors: false, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validateSarif = ajv.compile(schema);
  }
  return validateSarif;
}

/** Anything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** Throws unless `text` is a well-formed XML 1.0 document (characters, one root element, strict syntax). */
export function parseXml(text: string): void {
  const bad = NOT_XML_CHAR.exec(text);
  if (bad) throw new Error(`character U+${bad[0].codePointAt(0)!.toString(16).padStart(4, '0')} at offset ${bad.index} is not an XML 1.0 character`);
  const parser = sax.parser(true);
  let roots = 0;
  let depth = 0;
  parser.onopentag = () => {
    if (depth === 0) roots++;
    depth++;
  };
  parser.onclosetag = () => void depth--;
  parser.ontext = (content) => {
    if (depth === 0 && content.trim() !== '') throw new Error(`text outside the root element: ${JSON.stringify(content.slice(0, 40))}`);
  };
  parser.onerror = (error) => {
    throw error;
  };
  parser.write(text).close();
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

const SGR = /\x1b\[[0-9;]*m/g;

/** Pipes not escaped by a backslash (a scan: a regex with backtracking is quadratic on a long run of backslashes). */
function cellBorders(line: string): number {
  let count = 0;
  for (let index = 0; index < line.length; index++) {
    if (line[index] === '\\') index++;
    else if (line[index] === '|') count++;
  }
  return count;
}

function fail(format: string, reason: string): never {
  throw new Error(`${format} output is not well-formed: ${reason}`);
}

/** Throws (naming the format and what is wrong) unless every format is well-formed for this context. */
export function assertOutputsWellFormed(context: OutputContext): void {
  const format = (name: string, display?: DisplayOptions) => getFormatter(name)!.format(context, display);

  for (const name of ['json', 'sarif']) {
    let document: { findings?: { user: string | null }[]; runs?: { results: { properties: { user: string | null } }[] }[] };
    try {
      document = JSON.parse(format(name)) as typeof document;
    } catch (error) {
      fail(name, String(error));
    }
    const users = name === 'json' ? document.findings!.map((f) => f.user) : document.runs![0]!.results.map((r) => r.properties.user);
    if (JSON.stringify(users) !== JSON.stringify(context.findings.map((f) => f.user))) fail(name, 'the users are not the findings\' users');
    if (name === 'sarif') {
      const validate = sarifValidator();
      if (!validate(document)) fail(name, JSON.stringify(validate.errors).slice(0, 500));
    }
  }

  try {
    parseXml(format('junit'));
  } catch (error) {
    fail('junit', error instanceof Error ? error.message : String(error));
  }

  const rows = parseCsv(format('csv'), { columns: true, relax_column_count: false }) as Record<string, string>[];
  if (rows.length !== context.findings.length) fail('csv', `${rows.length} rows for ${context.findings.length} findings`);
  for (const [index, finding] of context.findings.entries()) {
    const row = rows[index]!;
    for (const [field, value] of [['user', finding.user ?? ''], ['message', finding.message], ['check', finding.check], ['file', finding.file]] as const) {
      // Written as UTF-8, where an unpaired surrogate can only be U+FFFD.
      const expected = Buffer.from(neutraliseCell(value), 'utf8').toString('utf8');
      if (row[field] !== expected) fail('csv', `row ${index + 1} ${field} ${JSON.stringify(row[field])} is not ${JSON.stringify(expected)}`);
    }
  }

  const markdown = format('markdown');
  if (hasTerminalControls(markdown, { keepLineBreaks: true })) fail('markdown', 'a control or bidi character');
  const raw = markdown.replace(/<br>/g, '').search(/</);
  if (raw >= 0) fail('markdown', `a raw < at ${raw}: ${JSON.stringify(markdown.slice(raw, raw + 40))}`);
  // Each table's header row (our text only) says how many cell borders its rows have: a pipe from report text adds one.
  let borders = 0;
  let previous = '';
  for (const line of markdown.split('\n')) {
    const pipes = cellBorders(line);
    if (line.startsWith('| ') && !previous.startsWith('| ')) borders = pipes;
    else if (line.startsWith('| ') && pipes !== borders) fail('markdown', `a table row with ${pipes} cell borders, not ${borders}: ${JSON.stringify(line.slice(0, 120))}`);
    previous = line;
  }

  for (const display of [undefined, { width: 80, color: true }]) {
    const table = format('table', display);
    for (const line of table.split('\n')) {
      const plain = line.replace(SGR, '');
      if (hasTerminalControls(plain)) fail('table', `a control or bidi character in ${JSON.stringify(plain.slice(0, 120))}`);
      if (display && displayWidth(plain) > display.width) fail('table', `a line of ${displayWidth(plain)} columns on an 80-column terminal: ${JSON.stringify(plain.slice(0, 120))}`);
    }
  }
}
