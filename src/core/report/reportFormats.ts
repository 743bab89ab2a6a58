/**
 * Recognises what a report file holds before it is parsed as CSV: the CSV itself, or the same CSV in one of the
 * wrappings people actually hand over (issue #16): `aws iam get-credential-report`'s answer as the CLI prints it (JSON,
 * YAML or text output: the CSV in base64 under `Content`, with `GeneratedTime`), the bare base64 content (`--query
 * Content --output text`), or a gzip file. Those are unwrapped, at most a few layers deep (gzip of the JSON answer);
 * anything else that is not text is refused with what it looks like and the command that turns it into a report.
 *
 * Every layer is bounded by the report size limit: a gzip is inflated with zlib's `maxOutputLength` (limit + 1 bytes,
 * so a gzip bomb stops there), and a decoded layer over the limit is refused like a file over it. Base64 and JSON only
 * ever shrink their input, so their bound is the file's.
 */
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { ReportProblem } from '../model';
import { decodeReportText, DecodedReportText } from './reportDecoding';
import { parseReportTime } from './timeValues';

/** How standard input is named in problems and findings (`credcheck check -`). */
export const STDIN_FILE = '<stdin>';

/** A report's CSV once unwrapped, with what the wrapping said about it. */
export interface OpenedReport {
  decoding: DecodedReportText;
  /** The wrappings taken off, outermost first, e.g. ['gzip', "the AWS CLI's JSON answer"]; empty for a plain CSV. */
  layers: string[];
  /** The answer's GeneratedTime (UTC ISO 8601), when it was an AWS CLI answer that gave one. */
  generatedTime?: string;
  /** Problems of the wrapping that do not stop the report being read (a GeneratedTime that is not a time). */
  problems: ReportProblem[];
  problem?: undefined;
}

export type OpenedReportOrProblem = OpenedReport | { problem: ReportProblem; decoding?: undefined };

/** Gzip inside JSON inside base64 ... : real wrappings are at most two deep; more is a crafted file. */
const MAX_LAYERS = 4;

const AWS_JSON = "the AWS CLI's JSON answer";
const AWS_YAML = "the AWS CLI's YAML answer";
const AWS_TEXT = "the AWS CLI's text answer";

/** What a credential report is and how to get one: the end of every refusal that has no better conversion. */
export const HOW_TO_GET_A_REPORT =
  'a credential report is the CSV that `aws iam get-credential-report --query Content --output text | base64 -d > report.csv` ' +
  '(after `aws iam generate-credential-report`) or `credcheck fetch` writes';

/**
 * A report's bytes as CSV text, unwrapped (see above), or the fatal problem that keeps it from being read. `file` names
 * the report in problems and commands. `bytes` longer than `maxBytes` are refused (a caller that read limit + 1 bytes).
 */
export function openReportBytes(bytes: Uint8Array, file: string, maxBytes: number, tooLargeHint = ''): OpenedReportOrProblem {
  if (bytes.length === 0 && file === STDIN_FILE) {
    return { problem: fatal(file, 'not a credential report: standard input is empty (nothing was piped in); pipe a report in, e.g. `cat report.csv | credcheck check -`') };
  }
  if (bytes.length > maxBytes) return { problem: fatal(file, `${tooLargeText(file, bytes.length, maxBytes, [])}${tooLargeHint}`, 'too-large') };
  const layers: string[] = [];
  const problems: ReportProblem[] = [];
  let generatedTime: string | undefined;
  let current = bytes;
  for (;;) {
    const step = unwrapOnce(current, file, layers);
    if ('problem' in step) return { problem: step.problem };
    if (step.bytes === undefined) return { decoding: step.decoding, layers, generatedTime, problems };
    layers.push(step.layer);
    if (step.generatedTime !== undefined) generatedTime = step.generatedTime;
    if (step.problems) problems.push(...step.problems);
    if (step.bytes.length > maxBytes) return { problem: fatal(file, `${tooLargeText(file, step.bytes.length, maxBytes, layers)}${tooLargeHint}`, 'too-large') };
    if (layers.length >= MAX_LAYERS) {
      return { problem: fatal(file, `not a credential report: the file is wrapped more than ${MAX_LAYERS} times (${layers.join(', then ')}); unwrap it by hand first`) };
    }
    current = step.bytes;
  }

  /** One layer taken off (`bytes`), the CSV reached (`decoding`), or a refusal. */
  function unwrapOnce(
    data: Uint8Array,
    name: string,
    outer: string[],
  ): { bytes: Uint8Array; layer: string; generatedTime?: string; problems?: ReportProblem[] } | { bytes?: undefined; decoding: DecodedReportText } | { problem: ReportProblem } {
    const inside = outer.length > 0 ? ` (inside ${outer.join(', inside ')})` : '';
    if (isGzip(data)) {
      try {
        // limit + 1: output past the limit stops inflation at once, so a gzip bomb costs at most the limit.
        return { bytes: gunzipSync(data, { maxOutputLength: maxBytes + 1 }), layer: 'gzip' };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE') return { problem: fatal(name, `${tooLargeText(name, maxBytes + 1, maxBytes, [...outer, 'gzip'])}${tooLargeHint}`, 'too-large') };
        return { problem: fatal(name, `not a credential report: the file is gzip data${inside} that does not decompress (${(error as Error).message}); check it with ${command(name, 'gzip -t', '')}, or keep what decompresses with ${command(name, 'gunzip -c')}`) };
      }
    }
    const binary = describeBinary(data);
    if (binary) return { problem: fatal(name, `not a credential report: the file is binary${inside}: ${binary.what}; ${binary.convert(name)}`) };
    const decoding = decodeReportText(data);
    const text = decoding.text.replace(/^\uFEFF/, '');
    const start = text.search(/\S/);
    if (start < 0) return { decoding };
    if (text[start] === '{') return readAwsAnswer(readJson(text, name, inside), name, AWS_JSON, inside);
    const firstLine = text.slice(start).split('\n', 1)[0]!;
    if (/^(?:Content|GeneratedTime|ReportFormat):/.test(firstLine) && !firstLine.includes(',')) {
      return readAwsAnswer(readYaml(text, name, inside), name, AWS_YAML, inside);
    }
    const awsText = readAwsTextAnswer(text);
    if (awsText) return readAwsAnswer({ document: awsText }, name, AWS_TEXT, inside);
    const base64 = decodeBase64(text);
    if (base64 && (isGzip(base64) || describeBinary(base64) !== undefined || isCleanText(base64))) return { bytes: base64, layer: 'base64' };
    return { decoding };
  }
}

/** The message for a report over the limit, whether the file or a layer decoded from it. */
function tooLargeText(file: string, size: number, maxBytes: number, layers: string[]): string {
  const limit = formatSize(maxBytes);
  const what = layers.length > 0 ? `the report decoded from it (${layers.join(', then ')}) is` : file === STDIN_FILE ? 'standard input holds' : 'the file is';
  // Only limit + 1 bytes were read or inflated: the true size is unknown beyond "more than the limit".
  const amount = size === maxBytes + 1 || layers.length > 0 || file === STDIN_FILE ? `more than ${limit}` : formatSize(size);
  const stop = layers.length > 0 ? 'decoding stopped at the limit' : 'it is not read';
  return `${what} ${amount}, over the ${limit} size limit for a credential report (IAM allows 5,000 users per account, about 5 MB); ${stop}`;
}

export function formatSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}

function fatal(file: string, message: string, code = 'not-a-report'): ReportProblem {
  return { file, line: 1, severity: 'error', code, message };
}

/** `tool < file > report.csv`, or for standard input `... | tool > report.csv`. */
function command(file: string, tool: string, output = ' > report.csv'): string {
  return file === STDIN_FILE ? `\`... | ${tool}${output}\`` : `\`${tool} < ${shellQuoted(file)}${output}\``;
}

function shellQuoted(file: string): string {
  return /^[\w./@%+=:-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}

function isGzip(data: Uint8Array): boolean {
  return data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
}

function startsWith(data: Uint8Array, ...prefix: number[]): boolean {
  return data.length >= prefix.length && prefix.every((byte, index) => data[index] === byte);
}

/** Text a report could be: valid UTF-8 (or UTF-16 after its BOM) without NUL characters. */
function isCleanText(data: Uint8Array): boolean {
  const decoded = decodeReportText(data, 0);
  return decoded.invalidCount === 0 && !decoded.text.includes('\u0000');
}

interface BinaryKind {
  what: string;
  convert: (file: string) => string;
}

/** What a file that is not text looks like, from its first bytes, with the command that makes a report of it. */
export function describeBinary(data: Uint8Array): BinaryKind | undefined {
  // Only the first bytes decide, but a zip's member names (xl/workbook.xml) may come a little later.
  const ascii = Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, startsWith(data, 0x50, 0x4b) ? 1 << 20 : 16)).toString('latin1');
  if (startsWith(data, 0x50, 0x4b, 0x03, 0x04) || startsWith(data, 0x50, 0x4b, 0x05, 0x06)) {
    if (ascii.includes('xl/workbook') || ascii.includes('xl/_rels') || (ascii.includes('[Content_Types].xml') && ascii.includes('xl/'))) {
      return { what: 'an Excel workbook (xlsx, a zip of XML), not CSV', convert: (file) => `save it as "CSV UTF-8 (comma delimited)" in the spreadsheet, or convert it: \`libreoffice --headless --convert-to csv ${shellQuoted(file)}\`` };
    }
    if (ascii.includes('application/vnd.oasis.opendocument.spreadsheet')) {
      return { what: 'an OpenDocument spreadsheet (ods), not CSV', convert: (file) => `save it as CSV with commas in the spreadsheet, or convert it: \`libreoffice --headless --convert-to csv ${shellQuoted(file)}\`` };
    }
    return { what: 'a zip archive (it starts with PK)', convert: (file) => `unzip it first: \`unzip -l ${shellQuoted(file)}\` lists it, \`unzip -p ${shellQuoted(file)} <member> > report.csv\` extracts the report` };
  }
  if (startsWith(data, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) {
    return { what: 'a legacy Excel workbook (xls, an OLE2 document), not CSV', convert: (file) => `save it as "CSV UTF-8 (comma delimited)" in the spreadsheet, or convert it: \`libreoffice --headless --convert-to csv ${shellQuoted(file)}\`` };
  }
  if (ascii.startsWith('%PDF-')) return { what: 'a PDF document', convert: () => HOW_TO_GET_A_REPORT };
  if (ascii.startsWith('BZh') && data.length > 3 && data[3]! >= 0x31 && data[3]! <= 0x39) return { what: 'bzip2-compressed data', convert: (file) => `decompress it first: ${command(file, 'bunzip2 -c')}` };
  if (startsWith(data, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return { what: 'xz-compressed data', convert: (file) => `decompress it first: ${command(file, 'xz -dc')}` };
  if (startsWith(data, 0x28, 0xb5, 0x2f, 0xfd)) return { what: 'zstd-compressed data', convert: (file) => `decompress it first: ${command(file, 'zstd -dc')}` };
  if (startsWith(data, 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return { what: 'a 7-Zip archive', convert: (file) => `extract it first: \`7z e -so ${shellQuoted(file)} > report.csv\`` };
  if (startsWith(data, 0x89, 0x50, 0x4e, 0x47)) return { what: 'a PNG image', convert: () => HOW_TO_GET_A_REPORT };
  // UTF-16 without a byte order mark: every other byte of ASCII text is zero.
  if (data.length >= 8 && data[1] === 0 && data[3] === 0 && data[0] !== 0 && data[2] !== 0) {
    return { what: 'UTF-16 (little-endian) text without a byte order mark', convert: (file) => `convert it to UTF-8: ${command(file, 'iconv -f UTF-16LE -t UTF-8')}` };
  }
  if (data.length >= 8 && data[0] === 0 && data[2] === 0 && data[1] !== 0 && data[3] !== 0) {
    return { what: 'UTF-16 (big-endian) text without a byte order mark', convert: (file) => `convert it to UTF-8: ${command(file, 'iconv -f UTF-16BE -t UTF-8')}` };
  }
  return undefined;
}

type ReadDocument = { document: unknown; problem?: undefined } | { problem: ReportProblem };

function readJson(text: string, file: string, inside: string): ReadDocument {
  try {
    return { document: JSON.parse(text) };
  } catch (error) {
    return {
      problem: fatal(file, `not a credential report: the file is JSON${inside} that does not parse (${(error as Error).message}), so not ${AWS_JSON} to \`aws iam get-credential-report\`; ${HOW_TO_GET_A_REPORT}`),
    };
  }
}

function readYaml(text: string, file: string, inside: string): ReadDocument {
  try {
    // The CLI's YAML has no aliases; a crafted one is cut short by the library's alias limit.
    return { document: parseYaml(text, { maxAliasCount: 10 }) };
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    return { problem: fatal(file, `not a credential report: the file looks like ${AWS_YAML}${inside} but does not parse (${reason}); ${HOW_TO_GET_A_REPORT}`) };
  }
}

/**
 * `--output text`: one line of tab-separated values, the base64 content, `text/csv` and the generation time, in the
 * order the CLI prints keys (not relied on).
 */
function readAwsTextAnswer(text: string): Record<string, string> | undefined {
  const lineEnd = text.indexOf('\n');
  if (lineEnd >= 0 && /\S/.test(text.slice(lineEnd, lineEnd + 64))) return undefined;
  const line = text.trim();
  if (line.includes('\n')) return undefined;
  const fields = line.split('\t');
  if (fields.length !== 3 || !fields.includes('text/csv')) return undefined;
  const time = fields.find((field) => parseReportTime(field) !== null);
  const content = fields.find((field) => field !== 'text/csv' && field !== time);
  return content === undefined ? undefined : { Content: content, ReportFormat: 'text/csv', ...(time !== undefined ? { GeneratedTime: time } : {}) };
}

/** The CSV in an AWS CLI answer (`Content`, base64), with its GeneratedTime. */
function readAwsAnswer(
  read: ReadDocument,
  file: string,
  layer: string,
  inside: string,
): { bytes: Uint8Array; layer: string; generatedTime?: string; problems: ReportProblem[] } | { problem: ReportProblem } {
  if (read.problem) return { problem: read.problem };
  const answer = read.document;
  const kind = layer === AWS_JSON ? 'JSON' : layer === AWS_YAML ? 'YAML' : 'text';
  const refuse = (why: string) => ({ problem: fatal(file, `not a credential report: the file is ${kind}${inside} but not ${layer} to \`aws iam get-credential-report\`: ${why}; ${HOW_TO_GET_A_REPORT}`) });
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return refuse(`it is ${Array.isArray(answer) ? 'an array' : typeof answer === 'string' ? 'a string' : String(answer)}, not an object with Content`);
  const record = answer as Record<string, unknown>;
  if (typeof record.Content !== 'string') {
    return refuse(record.Content === undefined ? `it has no Content (its keys: ${Object.keys(record).slice(0, 8).join(', ') || 'none'})` : 'its Content is not base64 text');
  }
  if (record.ReportFormat !== undefined && record.ReportFormat !== 'text/csv') return refuse(`its ReportFormat is ${JSON.stringify(record.ReportFormat)}, not text/csv`);
  const bytes = decodeBase64(record.Content);
  if (!bytes) return refuse('its Content is not base64 text');
  const problems: ReportProblem[] = [];
  let generatedTime: string | undefined;
  if (record.GeneratedTime !== undefined && record.GeneratedTime !== null) {
    const time = typeof record.GeneratedTime === 'string' ? parseReportTime(record.GeneratedTime) : null;
    if (time) generatedTime = time.iso;
    else {
      problems.push({
        file, line: 1, severity: 'error', code: 'bad-generated-time',
        message: `the GeneratedTime of ${layer} (${JSON.stringify(record.GeneratedTime).slice(0, 60)}) is not an ISO 8601 time; the report is audited without a generation time`,
      });
    }
  }
  return { bytes, layer, generatedTime, problems };
}

/**
 * Strict base64 (the standard alphabet, padded or not, line breaks allowed as `base64` wraps them), or undefined.
 * Node's own decoder skips any character it does not know, so the text is checked first.
 */
function decodeBase64(text: string): Buffer | undefined {
  // A CSV is refused on its first characters (a comma), before the whole text is copied.
  if (!/^[A-Za-z0-9+/=\s]*$/.test(text.slice(0, 1024))) return undefined;
  const compact = text.replace(/[ \t\r\n]+/g, '');
  if (compact.length < 4 || compact.length % 4 === 1 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  if (compact.includes('=') && compact.length % 4 !== 0) return undefined;
  return Buffer.from(compact, 'base64');
}

/** Conversion commands used in refusals, exported for the parser's own refusals of text. */
export function conversionCommand(file: string, tool: string): string {
  return command(file, tool);
}
