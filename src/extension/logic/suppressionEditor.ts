/**
 * Adds an entry to a suppressions file's text, keeping what is already there (comments and order included), so the
 * editor's "suppress" quick fix never rewrites a file people maintain by hand.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isCalendarDate, parseSuppressions } from '../../core/run/suppressions';

export interface NewSuppression {
  check: string;
  user: string;
  key: 1 | 2 | null;
  reason: string;
  /** YYYY-MM-DD, or null for no expiry. */
  expires: string | null;
}

const HEADER = '# Accepted IAM credential findings: each needs a reason; an expiry makes it come back for review.\n';

/** Returns the new file text. Throws (a SuppressionFileError) when the existing text is not a valid suppressions file. */
export function addSuppression(text: string, entry: NewSuppression, file: string): string {
  if (!entry.reason.trim()) throw new Error('a suppression needs a reason');
  if (entry.expires !== null && !isCalendarDate(entry.expires)) throw new Error(`expiry must be a date (YYYY-MM-DD), got "${entry.expires}"`);
  // The user comes from the report, which is hostile text: a name with * or ? would be written as a pattern that
  // suppresses other users (a user named "*", every one of them). Patterns are for people editing the file.
  if (/[*?]/.test(entry.user)) throw new Error(`the user name "${entry.user}" holds * or ?, which the suppressions file reads as a pattern; add a pattern by hand if that is meant`);
  // Validates the existing file first: a broken file is reported, not silently extended.
  parseSuppressions(text, file);
  const document = parseDocument(text.trim() === '' ? `${HEADER}suppressions: []\n` : text);
  // parseSuppressions accepted it, so the list is either the document or under `suppressions:`.
  const contents: unknown = document.contents;
  const list = (isMap(contents) ? contents.get('suppressions', true) : contents) as unknown;
  if (!isSeq(list)) throw new Error('the suppressions file holds no list');
  const item: Record<string, unknown> = { check: entry.check, user: entry.user };
  if (entry.key !== null) item.key = entry.key;
  item.reason = entry.reason.trim();
  if (entry.expires !== null) item.expires = entry.expires;
  (list as YAMLSeq).flow = false;
  const node = document.createNode(item) as YAMLMap;
  // Every text written is double-quoted: a report's user name is never read back as YAML syntax, a number or a date.
  for (const pair of node.items) {
    if (isScalar(pair.value) && typeof pair.value.value === 'string') pair.value.type = Scalar.QUOTE_DOUBLE;
  }
  (list as YAMLSeq).items.push(node);
  const output = document.toString();
  // The result must read back: the new entry is the last one.
  const parsed = parseSuppressions(output, file);
  const last = parsed[parsed.length - 1];
  if (!last || last.check !== entry.check || last.user !== entry.user || last.key !== entry.key || last.reason !== item.reason || last.expires !== entry.expires) {
    throw new Error('the new suppression did not read back');
  }
  return output;
}

/** The expiry date `days` days after `from` (UTC), as YYYY-MM-DD. */
export function expiryAfterDays(from: Date, days: number): string {
  return new Date(from.getTime() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);
}
