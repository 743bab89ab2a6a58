/**
 * References (`input.users[_].mfa_active`, `u.raw.arn`, `lib.days`, `time.now_ns`) found in a line and split into their
 * steps, so completion, hover and go-to-definition agree on what the cursor is on.
 */

export interface RefStep {
  /** `name` for `.name` and the head; the bracket's inside for `[...]`. */
  text: string;
  bracket: boolean;
  /** 0-based columns of the step's text in the line. */
  start: number;
  end: number;
}

export interface LineRef {
  steps: RefStep[];
  start: number;
  end: number;
}

/** A reference: a head name, then `.name` and `[...]` steps (brackets not nested). */
export const REF_SOURCE = String.raw`[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\[\]\n]*\])*`;

export function parseRef(text: string, offset = 0): RefStep[] {
  const steps: RefStep[] = [];
  const pattern = /^[A-Za-z_][A-Za-z0-9_]*|\.([A-Za-z_][A-Za-z0-9_]*)|\[([^\[\]\n]*)\]/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match[1] !== undefined) steps.push({ text: match[1], bracket: false, start: offset + match.index + 1, end: offset + match.index + match[0].length });
    else if (match[2] !== undefined) steps.push({ text: match[2].trim(), bracket: true, start: offset + match.index + 1, end: offset + match.index + match[0].length - 1 });
    else steps.push({ text: match[0], bracket: false, start: offset + match.index, end: offset + match.index + match[0].length });
  }
  return steps;
}

/** The reference in `line` that `column` is on or just after (0-based), if any. */
export function refAt(line: string, column: number): LineRef | undefined {
  const pattern = new RegExp(REF_SOURCE, 'g');
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(line)) !== null) {
    const start = match.index;
    const end = start + match[0].length;
    if (start <= column && column <= end && !/[A-Za-z0-9_]/.test(line[start - 1] ?? '')) return { steps: parseRef(match[0], start), start, end };
    if (start > column) break;
  }
  return undefined;
}

/** The step the cursor is on, and the steps up to it. */
export function stepAt(ref: LineRef, column: number): { index: number; step: RefStep } | undefined {
  for (let index = 0; index < ref.steps.length; index++) {
    const step = ref.steps[index]!;
    if (step.start <= column && column <= step.end) return { index, step };
  }
  return undefined;
}

/** `a.b.c` for name-only steps; undefined when a bracket is among them. */
export function dottedName(steps: readonly RefStep[]): string | undefined {
  if (steps.some((step) => step.bracket)) return undefined;
  return steps.map((step) => step.text).join('.');
}

/** Whether the character at `column` of `line` (original text) is inside a comment or a string, judged on that line. */
export function isInCommentOrString(line: string, column: number): boolean {
  let inString = false;
  for (let index = 0; index < column && index < line.length; index++) {
    const char = line[index];
    if (inString) {
      if (char === '\\') index++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '#') {
      return true;
    }
  }
  return inString;
}
