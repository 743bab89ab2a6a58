/**
 * Suppressions: a YAML file of accepted findings. A suppressed finding stays in every output, marked `suppressed`, and
 * does not fail the run. A suppression that has expired, or that matched nothing, is itself reported (check
 * `suppression`, status warn) so the file cannot silently rot.
 *
 *   suppressions:
 *     - check: access-key-rotation
 *       user: "ci-*"          # glob: * and ?
 *       key: 2                # optional: only that access key
 *       reason: rotated by the CI vault, tracked in SEC-123
 *       expires: 2025-12-31   # optional
 */
import { isMap, isSeq, LineCounter, parseDocument, Node as YamlNode } from 'yaml';
import { Finding } from '../model';
import { MatchMeter, UserGlob } from './userGlob';

export interface Suppression {
  check: string;
  user: string;
  key: 1 | 2 | null;
  reason: string;
  /** YYYY-MM-DD: the suppression applies up to and including that day (UTC). */
  expires: string | null;
  file: string;
  line: number;
}

/** A malformed suppressions file: located, so the CLI prints `file:line:column: message` and exits 2. */
export class SuppressionFileError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, readonly detail: string) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

const FIELDS = new Set(['check', 'user', 'key', 'reason', 'expires']);

/**
 * What a suppressions file may hold. It can come from a repository nobody vetted, and it is read on every evaluation in
 * the editor, so its cost is bounded before it is parsed. A real file is far below each limit: a few hundred entries,
 * user names of at most 64 characters (IAM's own limit), a handful of wildcard patterns.
 */
export const SUPPRESSION_LIMITS = {
  fileBytes: 1024 * 1024,
  entries: 10_000,
  /** Entries whose user has a `*` or `?`: these are the ones a finding may have to be compared with one by one. */
  wildcardEntries: 1_000,
  /** Characters of `check` and of `user`. */
  patternLength: 128,
  /**
   * Comparison steps wildcard patterns may take over one report (~0.3 s). The index keeps a finding away from the
   * patterns that cannot match it, but 1,000 patterns that start with `*` still meet every name of their check;
   * past this budget the wildcard entries stop applying, which shows more findings, never fewer, and says so.
   */
  matchSteps: 10_000_000,
} as const;

/** Whether `YYYY-MM-DD` names a day of the calendar (Date.parse takes 2024-02-30 for March 1st). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === text;
}

export function parseSuppressions(text: string, file: string): Suppression[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > SUPPRESSION_LIMITS.fileBytes) {
    // Located at the line where the limit is crossed, so the reader sees where the file stops being usable.
    const within = Buffer.from(text, 'utf8').subarray(0, SUPPRESSION_LIMITS.fileBytes).toString('utf8');
    const line = within.split('\n').length;
    throw new SuppressionFileError(file, line, 1, `the file is ${bytes} bytes, more than the ${SUPPRESSION_LIMITS.fileBytes} a suppressions file may hold`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (node: YamlNode | null | undefined, fallbackOffset = 0) => {
    const position = lineCounter.linePos(node?.range?.[0] ?? fallbackOffset);
    return { line: position.line, column: position.col };
  };
  const error = (node: YamlNode | null | undefined, message: string) => {
    const { line, column } = at(node);
    return new SuppressionFileError(file, line, column, message);
  };
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const position = lineCounter.linePos(first.pos[0]);
    throw new SuppressionFileError(file, position.line, position.col, first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  }
  const contents = document.contents;
  if (contents === null) return [];
  // The list may be the document itself or under a `suppressions:` key.
  const list = isMap(contents) ? contents.get('suppressions', true) : contents;
  if (!isSeq(list)) throw error(isMap(contents) ? contents : (contents as YamlNode), 'expected a list of suppressions (under a "suppressions:" key)');
  if (list.items.length > SUPPRESSION_LIMITS.entries) {
    throw error(list.items[SUPPRESSION_LIMITS.entries] as YamlNode, `more than ${SUPPRESSION_LIMITS.entries} suppressions; suppress by pattern, or fix the findings`);
  }
  let wildcardEntries = 0;
  return list.items.map((item) => {
    const node = item as YamlNode;
    if (!isMap(node)) throw error(node, 'each suppression must be a mapping with check, user and reason');
    for (const pair of node.items) {
      const name = String((pair.key as { value?: unknown })?.value ?? pair.key);
      if (!FIELDS.has(name)) throw error(pair.key as YamlNode, `unknown field "${name}" (expected check, user, key, reason, expires)`);
    }
    const field = (name: string) => node.get(name, true) as (YamlNode & { value?: unknown }) | undefined;
    const text = (name: string, required: boolean): string | null => {
      const value = field(name);
      if (value === undefined || value.value === null || value.value === undefined || value.value === '') {
        if (required) throw error(node, `a suppression needs "${name}"`);
        return null;
      }
      if (typeof value.value !== 'string' && !(name === 'expires' && value.value instanceof Date)) throw error(value, `"${name}" must be text`);
      return value.value instanceof Date ? value.value.toISOString().slice(0, 10) : value.value;
    };
    const keyNode = field('key');
    const key = keyNode?.value ?? null;
    if (key !== null && key !== 1 && key !== 2) throw error(keyNode, '"key" must be 1 or 2');
    const expires = text('expires', false);
    if (expires !== null && !isCalendarDate(expires)) {
      throw error(field('expires'), `"expires" must be a date (YYYY-MM-DD), got "${expires}"`);
    }
    const pattern = (name: 'check' | 'user'): string => {
      const value = text(name, true)!;
      if (value.length > SUPPRESSION_LIMITS.patternLength) {
        throw error(field(name), `"${name}" is ${value.length} characters, more than the ${SUPPRESSION_LIMITS.patternLength} allowed`);
      }
      return value;
    };
    const check = pattern('check');
    const user = pattern('user');
    if (/[*?]/.test(user) && ++wildcardEntries > SUPPRESSION_LIMITS.wildcardEntries) {
      throw error(field('user'), `more than ${SUPPRESSION_LIMITS.wildcardEntries} suppressions with a wildcard user; merge them into fewer patterns`);
    }
    return {
      check,
      user,
      key: key as 1 | 2 | null,
      reason: text('reason', true)!,
      expires,
      file,
      line: at(node).line,
    };
  });
}

/** True once the whole expiry day (UTC) has passed at the evaluation time. */
function hasExpired(suppression: Suppression, now: Date): boolean {
  return suppression.expires !== null && now.getTime() >= Date.parse(`${suppression.expires}T00:00:00Z`) + 24 * 3600 * 1000;
}

/**
 * Marks matching findings as suppressed and returns them with one `suppression` finding per expired or unused entry.
 * The evaluation time decides expiry, like every other time comparison.
 */
export function applySuppressions(findings: Finding[], suppressions: Suppression[], now: Date): Finding[] {
  const { findings: result, used } = markSuppressed(findings, suppressions, now);
  for (const finding of suppressionFindings(suppressions, used, now)) result.push(finding);
  return result;
}

/**
 * The first half of applySuppressions: findings marked, and which suppressions matched. Split out so reports audited
 * apart (worker threads) can be marked one by one and the unused entries reported once, over all of them.
 */
export function markSuppressed(
  findings: Finding[],
  suppressions: Suppression[],
  now: Date,
  meter: MatchMeter = { steps: 0 },
  budget: number = SUPPRESSION_LIMITS.matchSteps,
): { findings: Finding[]; used: Set<Suppression> } {
  const used = new Set<Suppression>();
  const index = new SuppressionIndex(suppressions.filter((s) => !hasExpired(s, now)));
  let unmatched = 0;
  const result = findings.map((finding) => {
    if (finding.status === 'skip') return finding;
    const withWildcards = meter.steps < budget;
    const match = index.find(finding, withWildcards ? meter : undefined);
    if (!match) {
      if (!withWildcards && index.hasWildcards(finding.check)) unmatched++;
      return finding;
    }
    used.add(match);
    return { ...finding, suppressed: { reason: match.reason, expires: match.expires } };
  });
  const first = suppressions.find((suppression) => /[*?]/.test(suppression.user));
  if (unmatched > 0 && first) {
    result.push({
      check: 'suppression', status: 'warn', severity: 'medium', user: null, arn: null, key: null, file: first.file, line: first.line, column: null, account: null,
      message: `wildcard suppressions were not tried on ${unmatched} finding(s) of ${findings[0]?.file ?? 'the report'}: matching them took more than ${budget} steps; use fewer patterns that start with a wildcard`,
    });
  }
  return { findings: result, used };
}

interface IndexedGlob {
  /** The entry's position in the file: the first matching entry wins, as it always has. */
  order: number;
  suppression: Suppression;
  glob: UserGlob;
}

interface CheckEntries {
  /** Entries whose user is a plain name, by that name. */
  exact: Map<string, { order: number; suppression: Suppression }[]>;
  /** Entries with a wildcard, by the literal text before it ('' for a leading wildcard). */
  globsByPrefix: Map<string, IndexedGlob[]>;
  /** The lengths of those prefixes, so a name is looked up once per length, not once per entry. */
  prefixLengths: number[];
}

/**
 * The active entries grouped so that a finding is only compared with entries that could match it: by check, then by
 * exact user name (one map lookup) or by the literal prefix of the pattern. 10,000 entries over 5,000 users used to
 * cost 10,000 pattern tests per finding; now it is a lookup plus the wildcard entries whose prefix the name has.
 */
export class SuppressionIndex {
  private readonly byCheck = new Map<string, CheckEntries>();

  constructor(suppressions: readonly Suppression[]) {
    suppressions.forEach((suppression, order) => {
      let entries = this.byCheck.get(suppression.check);
      if (!entries) {
        entries = { exact: new Map(), globsByPrefix: new Map(), prefixLengths: [] };
        this.byCheck.set(suppression.check, entries);
      }
      const glob = new UserGlob(suppression.user);
      if (!glob.isWildcard) {
        const list = entries.exact.get(suppression.user) ?? [];
        list.push({ order, suppression });
        entries.exact.set(suppression.user, list);
        return;
      }
      const list = entries.globsByPrefix.get(glob.prefix);
      if (list) list.push({ order, suppression, glob });
      else {
        entries.globsByPrefix.set(glob.prefix, [{ order, suppression, glob }]);
        if (!entries.prefixLengths.includes(glob.prefix.length)) entries.prefixLengths.push(glob.prefix.length);
      }
    });
  }

  /** Whether a finding of this check could be suppressed by a wildcard entry. */
  hasWildcards(check: string): boolean {
    return (this.byCheck.get(check)?.prefixLengths.length ?? 0) > 0;
  }

  /**
   * The first entry (in file order) that suppresses the finding, or undefined. Without a meter only exact entries are
   * tried: the caller's budget for wildcard matching is spent.
   */
  find(finding: Finding, meter?: MatchMeter): Suppression | undefined {
    const entries = this.byCheck.get(finding.check);
    const user = finding.user;
    if (!entries || user === null) return undefined;
    const keyFits = (suppression: Suppression) => suppression.key === null || suppression.key === finding.key;
    let best = entries.exact.get(user)?.find((entry) => keyFits(entry.suppression));
    if (!meter) return best?.suppression;
    for (const length of entries.prefixLengths) {
      if (length > user.length) continue;
      for (const candidate of entries.globsByPrefix.get(user.slice(0, length)) ?? []) {
        // Lists are in file order: past the best so far, nothing in this list can win.
        if (best && candidate.order > best.order) break;
        if (keyFits(candidate.suppression) && candidate.glob.matches(user, meter)) {
          best = candidate;
          break;
        }
      }
    }
    return best?.suppression;
  }
}

/**
 * The second half: one `suppression` finding (status warn) per entry that has expired or matched nothing, and one per
 * entry whose user pattern matches everyone.
 */
export function suppressionFindings(suppressions: Suppression[], used: Set<Suppression>, now: Date): Finding[] {
  const result: Finding[] = [];
  for (const suppression of suppressions) {
    const expired = hasExpired(suppression, now);
    if (!expired && new UserGlob(suppression.user).matchesEveryone) {
      // Allowed (an accepted check, say) but never quiet: it hides that check for every user, present and future.
      result.push({
        check: 'suppression', status: 'warn', severity: 'low', user: suppression.user, arn: null, key: suppression.key,
        file: suppression.file, line: suppression.line, column: null, account: null,
        message: `suppression of ${suppression.check} for every user ("${suppression.user}"): no finding of ${suppression.check} is reported; name the users instead`,
      });
    }
    if (!expired && used.has(suppression)) continue;
    const what = `suppression of ${suppression.check} for ${suppression.user}${suppression.key ? ` key ${suppression.key}` : ''}`;
    result.push({
      check: 'suppression',
      status: 'warn',
      severity: 'low',
      user: suppression.user,
      arn: null,
      key: suppression.key,
      file: suppression.file,
      line: suppression.line,
      column: null,
      message: expired ? `${what} expired on ${suppression.expires}; renew it with a new reason or fix the finding` : `${what} matched no finding; remove it`,
      account: null,
    });
  }
  return result;
}
