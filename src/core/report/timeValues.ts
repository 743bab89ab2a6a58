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

/**
 * The instants a report time may name: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. Policies see times as UTC
 * `YYYY-MM-DDTHH:MM:SSZ` text, which they compare as strings and parse with time.parse_rfc3339_ns; outside these years
 * the text would be `+010000-...` or `-000001-...` (or year 0000, which RFC 3339 has but no report does), and both the
 * string order and the parse would break without a word.
 */
const EARLIEST_MS = (() => {
  const date = new Date(0);
  date.setUTCFullYear(1, 0, 1);
  date.setUTCHours(0, 0, 0, 0);
  return date.getTime();
})();
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Reads a report time; null when the text is not a valid date and time (special values, empty text, `2016-02-30`). */
export function parseReportTime(text: string): ReportTime | null {
  const time = readReportTime(text);
  return typeof time === 'string' ? null : time;
}

/**
 * Why a text is not a report time, for the located bad-time problem (undefined when it is one). The rule, besides
 * the date and clock existing: the written offset is one RFC 3339 allows (-23:59 to +23:59, `Z`, or none: UTC), the
 * written year is 0001-9999, and so is the year of the UTC instant once the offset is applied
 * (`9999-12-31T23:59:59-23:59` is in year 10000). A leap second (`:60`) and hour 24 are refused: reports never have
 * them, and OPA's time.parse_rfc3339_ns refuses them too.
 */
export function explainBadReportTime(text: string): string | undefined {
  const time = readReportTime(text);
  return typeof time === 'string' ? time : undefined;
}

function readReportTime(text: string): ReportTime | string {
  const match = TIME_PATTERN.exec(text.trim());
  if (!match) return 'not an ISO 8601 time';
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zulu, sign, offsetHours = '0', offsetMinutes = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < 1) return 'year 0000 is outside the years 0001-9999';
  if (month < 1 || month > 12) return `month ${mo} does not exist`;
  if (day < 1 || day > daysIn(year, month)) return `day ${d} does not exist in ${y}-${mo}`;
  if (second === 60) return 'a leap second (:60) cannot be represented';
  if (hour > 23 || minute > 59 || second > 59) return `${h}:${mi}:${s} is not a time of day`;
  const oh = Number(offsetHours);
  const om = Number(offsetMinutes);
  if (oh > 23 || om > 59) return `the offset ${sign}${offsetHours}:${offsetMinutes.padStart(2, '0')} is outside -23:59..+23:59 (RFC 3339)`;
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
  if (!Number.isFinite(epochMs) || epochMs < EARLIEST_MS || epochMs > LATEST_MS) {
    return `in UTC (after the offset ${sign}${offsetHours}:${offsetMinutes.padStart(2, '0')}) it falls outside the years 0001-9999`;
  }
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
