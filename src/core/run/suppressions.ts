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

export function parseSuppressions(text: string, file: string): Suppression[] {
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
    if (expires !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(`${expires}T00:00:00Z`)))) {
      throw error(field('expires'), `"expires" must be a date (YYYY-MM-DD), got "${expires}"`);
    }
    return {
      check: text('check', true)!,
      user: text('user', true)!,
      key: key as 1 | 2 | null,
      reason: text('reason', true)!,
      expires,
      file,
      line: at(node).line,
    };
  });
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
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
export function markSuppressed(findings: Finding[], suppressions: Suppression[], now: Date): { findings: Finding[]; used: Set<Suppression> } {
  const used = new Set<Suppression>();
  const active = suppressions.filter((s) => !hasExpired(s, now));
  const matchers = active.map((s) => ({ suppression: s, user: globToRegExp(s.user) }));
  const result = findings.map((finding) => {
    if (finding.status === 'skip') return finding;
    const match = matchers.find(
      ({ suppression, user }) =>
        suppression.check === finding.check && finding.user !== null && user.test(finding.user) && (suppression.key === null || suppression.key === finding.key),
    );
    if (!match) return finding;
    used.add(match.suppression);
    return { ...finding, suppressed: { reason: match.suppression.reason, expires: match.suppression.expires } };
  });
  return { findings: result, used };
}

/** The second half: one `suppression` finding (status warn) per entry that has expired or matched nothing. */
export function suppressionFindings(suppressions: Suppression[], used: Set<Suppression>, now: Date): Finding[] {
  const result: Finding[] = [];
  for (const suppression of suppressions) {
    const expired = hasExpired(suppression, now);
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
