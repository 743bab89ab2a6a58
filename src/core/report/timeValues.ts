/**
 * Times as they appear in credential reports, and the one form policies see.
 *
 * AWS wrote `2016-11-25T20:27:00+00:00` until 2024 and `2024-04-22T19:47:52Z` since (prowler #4448 broke on the
 * change); copies that went through a database or a spreadsheet have a space instead of the `T`, fractional seconds,
 * or another offset. All of them become UTC `YYYY-MM-DDTHH:MM:SSZ` (with milliseconds only when they are not zero), a
 * form Rego can compare as a string and parse with `time.parse_rfc3339_ns`.
 */

export interface ReportTime {
  /** UTC ISO 8601, `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  iso: string;
  /** Milliseconds since the Unix epoch. */
  epochMs: number;
}

// Date, then optionally a time (T, t or spaces between), seconds, a fraction and an offset (Z, +HH:MM, +HHMM, +HH).
// A time without an offset is taken as UTC: every time AWS writes is UTC, and the tools that drop the offset (psql,
// spreadsheets) show it in UTC.
const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:(?:[Tt]| +)(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)? *(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Reads a report time; null when the text is not a valid date and time (special values, empty text, `2016-02-30`). */
export function parseReportTime(text: string): ReportTime | null {
  const match = TIME_PATTERN.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zulu, sign, offsetHours = '0', offsetMinutes = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const oh = Number(offsetHours);
  const om = Number(offsetMinutes);
  if (oh > 23 || om > 59) return null;
  // Beyond milliseconds the digits cannot be represented in a Date; they are truncated, never rounded up a second.
  const milliseconds = Number((fraction + '000').slice(0, 3));
  // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear does not (slower, so only for those years).
  let epochMs: number;
  if (year >= 100) {
    epochMs = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds);
  } else {
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, milliseconds);
    epochMs = date.getTime();
  }
  const offsetMs = !zulu && sign ? (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000 : 0;
  epochMs -= offsetMs;
  if (!Number.isFinite(epochMs)) return null;
  // The usual AWS form (whole seconds, UTC) is already the canonical text: no Date round trip needed.
  if (offsetMs === 0 && fraction === '' && match[6] !== undefined && year >= 1000) return { iso: `${y}-${mo}-${d}T${h}:${mi}:${s}Z`, epochMs };
  return { iso: formatUtcTime(new Date(epochMs)), epochMs };
}

/** UTC ISO 8601 without milliseconds when they are zero: the one time format policies see. */
export function formatUtcTime(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

const MILLISECONDS_PER_DAY = 86_400_000;

/** Exact age in days at the evaluation time: fractional, negative for a time after it. */
export function ageInDays(epochMs: number, evaluationTime: Date): number {
  return (evaluationTime.getTime() - epochMs) / MILLISECONDS_PER_DAY;
}
