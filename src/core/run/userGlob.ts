/**
 * The user patterns of suppressions: `*` any run of characters (none included), `?` exactly one, everything else
 * itself. Matched without regular expressions: a suppressions file may come from a repository nobody vetted, and a
 * backtracking RegExp built from `*` turned a pattern of 22 stars into minutes of work per user name (ReDoS).
 *
 * The pattern is split at its stars into literal segments (`?` inside a segment is a one-character wildcard). The first
 * segment must match at the start, the last at the end, and each one between is taken at its leftmost place after the
 * one before: a later place never helps, since anything it could let the next segments match, the leftmost one lets
 * them match too. So the name is scanned once from left to right and nothing is ever retried; each segment is searched
 * with Shift-And (below), so the work is linear in the name plus the pattern, and consecutive stars cost nothing.
 * Glob libraries (minimatch, picomatch) compile to RegExp and are built for paths (`/`, `**`, braces), so they were
 * not used here.
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
  private readonly segments: Segment[];
  private readonly hasStar: boolean;
  private readonly minimumLength: number;

  constructor(readonly pattern: string) {
    this.segments = pattern.split('*').map((text) => new Segment(text));
    this.hasStar = this.segments.length > 1;
    this.isWildcard = /[*?]/.test(pattern);
    const firstWildcard = pattern.search(/[*?]/);
    this.prefix = firstWildcard < 0 ? pattern : pattern.slice(0, firstWildcard);
    this.minimumLength = this.segments.reduce((sum, segment) => sum + segment.length, 0);
    this.matchesEveryone = this.hasStar && /^[*?]*$/.test(pattern) && this.minimumLength <= 1;
  }

  matches(name: string, meter?: MatchMeter): boolean {
    const segments = this.segments;
    if (!this.hasStar) return name.length === this.minimumLength && segments[0]!.matchesAt(name, 0, meter);
    if (name.length < this.minimumLength) return false;
    const first = segments[0]!;
    const last = segments[segments.length - 1]!;
    if (!first.matchesAt(name, 0, meter) || !last.matchesAt(name, name.length - last.length, meter)) return false;
    // The middle segments must fit, in order and without overlapping, between the first and the last.
    let position = first.length;
    const end = name.length - last.length;
    for (let index = 1; index < segments.length - 1; index++) {
      const segment = segments[index]!;
      if (meter) meter.steps++;
      if (segment.length === 0) continue;
      const found = segment.leftmost(name, position, end, meter);
      if (found < 0) return false;
      position = found + segment.length;
    }
    return true;
  }
}

/**
 * A literal piece of a pattern between stars, `?` standing for any one character. Its leftmost place in a name is
 * found with the bit-parallel Shift-And algorithm: one pass over the name, a few word operations per character
 * (patterns are at most 128 characters, so at most 4 words), whatever the name and the segment hold.
 */
class Segment {
  readonly length: number;
  private readonly words: number;
  /** Bit i of a character's mask: the segment's character i is that character or `?`. */
  private readonly masks = new Map<number, Uint32Array>();
  /** The mask of a character the segment does not name: only its `?` positions. */
  private readonly anyMask: Uint32Array;

  constructor(private readonly text: string) {
    this.length = text.length;
    this.words = Math.max(1, Math.ceil(text.length / 32));
    this.anyMask = new Uint32Array(this.words);
    for (let index = 0; index < text.length; index++) {
      if (text.charCodeAt(index) === QUESTION_MARK) setBit(this.anyMask, index);
    }
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code === QUESTION_MARK) continue;
      let mask = this.masks.get(code);
      if (!mask) {
        mask = Uint32Array.from(this.anyMask);
        this.masks.set(code, mask);
      }
      setBit(mask, index);
    }
  }

  /** Whether the segment matches `name` at `start` (the caller checked that it fits). */
  matchesAt(name: string, start: number, meter?: MatchMeter): boolean {
    for (let offset = 0; offset < this.length; offset++) {
      if (meter) meter.steps++;
      const expected = this.text.charCodeAt(offset);
      if (expected !== QUESTION_MARK && expected !== name.charCodeAt(start + offset)) return false;
    }
    return true;
  }

  /** The first position from `from` where the segment matches and ends by `end`, or -1. */
  leftmost(name: string, from: number, end: number, meter?: MatchMeter): number {
    // Bit i of state: the last i + 1 characters read match the segment's first i + 1.
    const state = new Uint32Array(this.words);
    const top = this.words - 1;
    const lastBit = 1 << ((this.length - 1) % 32);
    for (let position = from; position < end; position++) {
      if (meter) meter.steps += this.words;
      const mask = this.masks.get(name.charCodeAt(position)) ?? this.anyMask;
      for (let word = top; word >= 0; word--) {
        const carry = word > 0 ? state[word - 1]! >>> 31 : 1;
        state[word] = ((state[word]! << 1) | carry) & mask[word]!;
      }
      if (state[top]! & lastBit) return position - this.length + 1;
    }
    return -1;
  }
}

function setBit(words: Uint32Array, index: number): void {
  words[index >>> 5]! |= 1 << (index & 31);
}

const QUESTION_MARK = '?'.charCodeAt(0);
