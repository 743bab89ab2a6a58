/**
 * The user patterns of suppressions: `*` any run of characters (none included), `?` exactly one, everything else
 * itself. Matched without regular expressions: a suppressions file may come from a repository nobody vetted, and a
 * backtracking RegExp built from `*` turned a pattern of 22 stars into minutes of work per user name (ReDoS).
 *
 * The pattern is split at its stars into literal segments (`?` inside a segment is a one-character wildcard). The first
 * segment must match at the start, the last at the end, and each one between is taken at its leftmost place after the
 * one before: a later place never helps, since anything it could let the next segments match, the leftmost one lets
 * them match too. So the name is scanned once from left to right and nothing is ever retried: at most
 * |name| x |longest segment| character comparisons, and consecutive stars cost nothing. Glob libraries (minimatch,
 * picomatch) compile to RegExp and are built for paths (`/`, `**`, braces), so they were not used here.
 */

/** Counts character comparisons, so tests can show the work grows linearly without measuring time. */
export interface MatchMeter {
  steps: number;
}

export class UserGlob {
  /** The literal text before the first wildcard: an index key (patterns are only tried on names that start with it). */
  readonly prefix: string;
  /** True when the pattern has a `*` or `?`. */
  readonly isWildcard: boolean;
  /** True when the pattern matches every non-empty name (`*`, `**`, `?*`...). */
  readonly matchesEveryone: boolean;
  private readonly segments: string[];
  private readonly hasStar: boolean;
  private readonly minimumLength: number;

  constructor(readonly pattern: string) {
    this.segments = pattern.split('*');
    this.hasStar = this.segments.length > 1;
    this.isWildcard = /[*?]/.test(pattern);
    const firstWildcard = pattern.search(/[*?]/);
    this.prefix = firstWildcard < 0 ? pattern : pattern.slice(0, firstWildcard);
    this.minimumLength = this.segments.reduce((sum, segment) => sum + segment.length, 0);
    this.matchesEveryone = this.hasStar && /^[*?]*$/.test(pattern) && this.minimumLength <= 1;
  }

  matches(name: string, meter?: MatchMeter): boolean {
    const segments = this.segments;
    if (!this.hasStar) return name.length === this.pattern.length && segmentAt(this.pattern, name, 0, meter);
    if (name.length < this.minimumLength) return false;
    const first = segments[0]!;
    const last = segments[segments.length - 1]!;
    if (!segmentAt(first, name, 0, meter) || !segmentAt(last, name, name.length - last.length, meter)) return false;
    // The middle segments must fit, in order and without overlapping, between the first and the last.
    let position = first.length;
    const end = name.length - last.length;
    for (let index = 1; index < segments.length - 1; index++) {
      const segment = segments[index]!;
      if (segment.length === 0) {
        if (meter) meter.steps++;
        continue;
      }
      const found = leftmost(segment, name, position, end, meter);
      if (found < 0) return false;
      position = found + segment.length;
    }
    return true;
  }
}

/** Whether `segment` (with `?` as any one character) matches `name` at `start`. */
function segmentAt(segment: string, name: string, start: number, meter?: MatchMeter): boolean {
  for (let offset = 0; offset < segment.length; offset++) {
    if (meter) meter.steps++;
    const expected = segment.charCodeAt(offset);
    if (expected !== QUESTION_MARK && expected !== name.charCodeAt(start + offset)) return false;
  }
  return true;
}

/** The first position from `from` where `segment` matches and ends by `end`, or -1. */
function leftmost(segment: string, name: string, from: number, end: number, meter?: MatchMeter): number {
  for (let start = from; start + segment.length <= end; start++) {
    if (segmentAt(segment, name, start, meter)) return start;
  }
  if (meter) meter.steps++;
  return -1;
}

const QUESTION_MARK = '?'.charCodeAt(0);
