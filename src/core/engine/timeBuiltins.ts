/**
 * The `time.*` builtins that @open-policy-agent/opa-wasm does not provide, passed to `loadPolicy` as custom builtins.
 *
 * Nanosecond values: OPA works in int64 nanoseconds, which exceed 2^53. Values we *return* are written to the wasm
 * heap as exact JSON integer text (the SDK accepts an ArrayBuffer of JSON), so `time.now_ns()` and
 * `time.parse_rfc3339_ns(...)` are exact and compare exactly with OPA's. Values we *receive* arrive through the SDK's
 * `JSON.parse`, which rounds to the nearest double (256 ns steps around 2024); we round them to the microsecond before
 * splitting into date and clock, so only a time within a microsecond of a second boundary can be misread.
 * Ordering comparisons of ns values are always safe; exact equality between a received and a re-derived ns is not.
 */

/** Names of the builtins this module implements: the compiler's capabilities must list exactly these `time.*` ones. */
export const TIME_BUILTIN_NAMES = [
  'time.now_ns',
  'time.parse_rfc3339_ns',
  'time.parse_ns',
  'time.parse_duration_ns',
  'time.add_date',
  'time.diff',
  'time.date',
  'time.clock',
  'time.weekday',
] as const;

const NS_PER_MS = 1_000_000n;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A builtin failure on its arguments: the engine makes the call undefined, as OPA does (policyEngine.ts undefinedOnError). */
export class TimeBuiltinError extends Error {}

/** Exact JSON integer text for the wasm heap (see the module comment). */
function exactInteger(value: bigint): ArrayBuffer {
  const bytes = new TextEncoder().encode(value.toString());
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** OPA's nanosecond values are Go int64s: a time or duration outside these is an error in OPA (undefined call). */
const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;

/** A nanosecond result, or OPA's error for one that does not fit an int64 (before 1677-09-21, after 2262-04-11). */
function inNsRange(ns: bigint, name: string): bigint {
  if (ns < MIN_NS || ns > MAX_NS) throw new TimeBuiltinError(`${name}: time outside of valid range`);
  return ns;
}

function toBigNs(value: unknown, name: string): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TimeBuiltinError(`${name}: operand must be a number of nanoseconds`);
  // A double at or past 2^63 cannot be an int64 (OPA rejects it); -2^63 itself is exact.
  if (value >= 2 ** 63 || value < -(2 ** 63)) throw new TimeBuiltinError(`${name}: operand is outside the int64 nanosecond range`);
  // Recover the microsecond the caller most likely meant (see the module comment).
  return BigInt(Math.round(value / 1000)) * 1000n;
}

/** Offset in minutes east of UTC of an IANA zone at an instant ("" and "UTC" are UTC, like OPA). */
function zoneOffsetMinutes(zone: string, epochMs: number): number {
  if (zone === '' || zone === 'UTC') return 0;
  const zoneName = zone === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : zone;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zoneName, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    }).formatToParts(new Date(epochMs));
  } catch {
    throw new TimeBuiltinError(`unknown time zone ${zone}`);
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60000);
}

/** A wall-clock view of an instant in a zone: a Date whose UTC fields are the local fields, plus the nanoseconds. */
interface ZonedTime {
  wall: Date;
  nanos: bigint;
  offsetMinutes: number;
}

function zonedTime(operand: unknown, name: string): ZonedTime {
  let nsValue: unknown = operand;
  let zone = 'UTC';
  if (Array.isArray(operand)) {
    if (operand.length !== 2 || typeof operand[1] !== 'string') throw new TimeBuiltinError(`${name}: expected [ns, timezone]`);
    [nsValue, zone] = operand as [unknown, string];
  }
  const ns = toBigNs(nsValue, name);
  const ms = Number(floorDiv(ns, NS_PER_MS));
  const offsetMinutes = zoneOffsetMinutes(zone, ms);
  return { wall: new Date(ms + offsetMinutes * 60000), nanos: ns, offsetMinutes };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Nanoseconds since the epoch of a UTC calendar time, exact. */
function utcNs(year: number, month: number, day: number, hour: number, minute: number, second: number, fractionNs: bigint, offsetMinutes: number): bigint {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return BigInt(date.getTime() - offsetMinutes * 60000) * NS_PER_MS + fractionNs;
}

function fractionToNs(fraction: string | undefined): bigint {
  if (!fraction) return 0n;
  // Digits past the ninth are dropped, never rounded (Go's parseNanoseconds).
  return BigInt((fraction + '000000000').slice(0, 9));
}

/**
 * What Go's time.Parse(time.RFC3339, ...) accepts, as OPA calls it (checked against opa eval in
 * test/unit/differential/hostBuiltinEdges.test.ts): upper-case `T` and `Z` only; a fraction after `.` or `,` of any
 * length, truncated to nanoseconds; an offset `±hh:mm` with hh up to 24 and mm up to 60 (Go's general parser allows
 * "24 hours or 60 minutes" as some people write them); no leap second (`:60`), no hour 24. OPA then rejects a time
 * whose nanoseconds do not fit an int64.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$/;

export function parseRfc3339Ns(text: string): bigint {
  const match = RFC3339.exec(text);
  if (!match) throw new TimeBuiltinError(`time.parse_rfc3339_ns: cannot parse "${text}" as RFC 3339`);
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const fields = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (fields[1] < 1 || fields[1] > 12 || fields[2] < 1 || fields[2] > daysIn(fields[0], fields[1]) || fields[3] > 23 || fields[4] > 59 || fields[5] > 59) {
    throw new TimeBuiltinError(`time.parse_rfc3339_ns: "${text}" is out of range`);
  }
  let offset = 0;
  if (zone !== 'Z') {
    const [offsetHours, offsetMinutes] = [Number(zone!.slice(1, 3)), Number(zone!.slice(4, 6))];
    if (offsetHours > 24 || offsetMinutes > 60) throw new TimeBuiltinError(`time.parse_rfc3339_ns: "${text}" has an out of range offset`);
    offset = (zone!.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  }
  return inNsRange(utcNs(...fields, fractionToNs(frac), offset), 'time.parse_rfc3339_ns');
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Go reference-layout tokens we understand for `time.parse_ns`, longest first. */
const LAYOUT_TOKENS: [string, string, string][] = [
  ['2006', 'year', '(\\d{4})'],
  ['January', 'monthName', '([A-Za-z]+)'],
  ['Jan', 'monthShort', '([A-Za-z]{3})'],
  ['Monday', 'weekday', '[A-Za-z]+'],
  ['Mon', 'weekday', '[A-Za-z]{3}'],
  ['MST', 'zoneName', '([A-Z]{3,4})'],
  ['Z07:00', 'zoneColonZ', '(Z|[+-]\\d{2}:\\d{2})'],
  ['-07:00', 'zoneColon', '([+-]\\d{2}:\\d{2})'],
  ['Z0700', 'zoneZ', '(Z|[+-]\\d{4})'],
  ['-0700', 'zone', '([+-]\\d{4})'],
  ['.000000000', 'fraction', '\\.(\\d{9})'],
  ['.000000', 'fraction', '\\.(\\d{6})'],
  ['.000', 'fraction', '\\.(\\d{3})'],
  ['.999999999', 'fraction', '(?:\\.(\\d{1,9}))?'],
  ['.999999', 'fraction', '(?:\\.(\\d{1,9}))?'],
  ['.999', 'fraction', '(?:\\.(\\d{1,9}))?'],
  ['01', 'month', '(\\d{2})'],
  ['02', 'day', '(\\d{2})'],
  ['_2', 'day', ' ?(\\d{1,2})'],
  ['15', 'hour', '(\\d{2})'],
  ['03', 'hour12', '(\\d{2})'],
  ['04', 'minute', '(\\d{2})'],
  ['05', 'second', '(\\d{2})'],
  ['06', 'year2', '(\\d{2})'],
  ['PM', 'ampm', '(AM|PM)'],
  ['1', 'month', '(\\d{1,2})'],
  ['2', 'day', '(\\d{1,2})'],
  ['3', 'hour12', '(\\d{1,2})'],
  ['4', 'minute', '(\\d{1,2})'],
  ['5', 'second', '(\\d{1,2})'],
];

const LAYOUT_NAMES: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

export function parseWithLayout(layoutArgument: string, value: string): bigint {
  const layout = LAYOUT_NAMES[layoutArgument] ?? layoutArgument;
  const kinds: string[] = [];
  let pattern = '';
  for (let i = 0; i < layout.length;) {
    const token = LAYOUT_TOKENS.find(([text]) => layout.startsWith(text, i));
    if (token) {
      pattern += token[2];
      if (token[2].includes('(')) kinds.push(token[1]);
      i += token[0].length;
    } else {
      pattern += layout[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i += 1;
    }
  }
  const match = new RegExp(`^${pattern}$`).exec(value);
  if (!match) throw new TimeBuiltinError(`time.parse_ns: cannot parse "${value}" as "${layoutArgument}"`);
  let year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, offset = 0, pm: boolean | undefined;
  let fraction = 0n;
  kinds.forEach((kind, index) => {
    const text = match[index + 1];
    if (text === undefined) return;
    switch (kind) {
      case 'year': year = Number(text); break;
      case 'year2': year = Number(text) + (Number(text) >= 69 ? 1900 : 2000); break;
      case 'month': month = Number(text); break;
      case 'monthName':
      case 'monthShort': {
        const found = MONTHS.findIndex((m) => (kind === 'monthName' ? m : m.slice(0, 3)) === text);
        if (found < 0) throw new TimeBuiltinError(`time.parse_ns: bad month "${text}"`);
        month = found + 1;
        break;
      }
      case 'day': day = Number(text); break;
      case 'hour':
      case 'hour12': hour = Number(text); break;
      case 'minute': minute = Number(text); break;
      case 'second': second = Number(text); break;
      case 'fraction': fraction = fractionToNs(text); break;
      case 'ampm': pm = text === 'PM'; break;
      case 'zoneName': offset = 0; break;
      default:
        offset = text === 'Z' ? 0 : (text.startsWith('-') ? -1 : 1) * (Number(text.slice(1, 3)) * 60 + Number(text.replace(':', '').slice(3, 5)));
    }
  });
  if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new TimeBuiltinError(`time.parse_ns: "${value}" is out of range`);
  }
  return inNsRange(utcNs(year, month, day, hour, minute, second, fraction, offset), 'time.parse_ns');
}

const DURATION_UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** Go's time.ParseDuration: "1h30m", "-1.5h", "300ms". */
export function parseDurationNs(text: string): bigint {
  let rest = text;
  let sign = 1n;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1n : 1n;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') throw new TimeBuiltinError(`time.parse_duration_ns: invalid duration "${text}"`);
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/;
  while (rest.length > 0) {
    const match = part.exec(rest);
    if (!match || (match[1] === '' && !match[2])) throw new TimeBuiltinError(`time.parse_duration_ns: invalid duration "${text}"`);
    const unit = DURATION_UNITS[match[3]!]!;
    const whole = BigInt(match[1] || '0') * unit;
    const fractionDigits = match[2] ?? '';
    const fraction = fractionDigits ? (BigInt(fractionDigits) * unit) / 10n ** BigInt(fractionDigits.length) : 0n;
    total += whole + fraction;
    rest = rest.slice(match[0].length);
  }
  // Go's ParseDuration: an int64 of nanoseconds, so -2^63 is the one value whose magnitude exceeds the maximum.
  return inNsRange(sign * total, 'time.parse_duration_ns');
}

/** Go's Time.AddDate in UTC: overflowing days and months normalise (Jan 31 + 1 month = Mar 2 or 3). */
export function addDate(ns: bigint, years: number, months: number, days: number): bigint {
  const ms = Number(floorDiv(ns, NS_PER_MS));
  const remainder = ns - floorDiv(ns, NS_PER_MS) * NS_PER_MS;
  const date = new Date(ms);
  const shifted = new Date(0);
  shifted.setUTCFullYear(date.getUTCFullYear() + years, date.getUTCMonth() + months, date.getUTCDate() + days);
  shifted.setUTCHours(date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds());
  return inNsRange(BigInt(shifted.getTime()) * NS_PER_MS + remainder, 'time.add_date');
}

/** OPA's time.diff (after icza/gox): [years, months, days, hours, minutes, seconds] between two instants, order-free. */
export function diff(first: ZonedTime, second: ZonedTime): number[] {
  let [a, b] = [first.wall, new Date(second.wall.getTime() - second.offsetMinutes * 60000 + first.offsetMinutes * 60000)];
  if (first.nanos > second.nanos) [a, b] = [b, a];
  let year = b.getUTCFullYear() - a.getUTCFullYear();
  let month = b.getUTCMonth() - a.getUTCMonth();
  let day = b.getUTCDate() - a.getUTCDate();
  let hour = b.getUTCHours() - a.getUTCHours();
  let minute = b.getUTCMinutes() - a.getUTCMinutes();
  let second2 = b.getUTCSeconds() - a.getUTCSeconds();
  if (second2 < 0) { second2 += 60; minute--; }
  if (minute < 0) { minute += 60; hour--; }
  if (hour < 0) { hour += 24; day--; }
  if (day < 0) {
    const probe = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), 32));
    day += 32 - probe.getUTCDate();
    month--;
  }
  if (month < 0) { month += 12; year--; }
  return [year, month, day, hour, minute, second2];
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TimeBuiltinError(`${name}: operand must be a string`);
  return value;
}

function requireInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TimeBuiltinError(`${name}: operand must be an integer`);
  return value;
}

export type CustomBuiltins = Record<string, (...args: unknown[]) => unknown>;

/**
 * The custom builtins of a loaded policy. `evaluationTime` gives the instant of the evaluation under way: the caller
 * fixes it once per evaluation, so `time.now_ns()` returns the same value however often and however late it is called.
 */
export function createTimeBuiltins(evaluationTime: () => Date): CustomBuiltins {
  return {
    'time.now_ns': () => exactInteger(BigInt(evaluationTime().getTime()) * NS_PER_MS),
    'time.parse_rfc3339_ns': (value) => exactInteger(parseRfc3339Ns(requireString(value, 'time.parse_rfc3339_ns'))),
    'time.parse_ns': (layout, value) => exactInteger(parseWithLayout(requireString(layout, 'time.parse_ns'), requireString(value, 'time.parse_ns'))),
    'time.parse_duration_ns': (value) => exactInteger(parseDurationNs(requireString(value, 'time.parse_duration_ns'))),
    'time.add_date': (ns, years, months, days) =>
      exactInteger(addDate(toBigNs(ns, 'time.add_date'), requireInteger(years, 'time.add_date'), requireInteger(months, 'time.add_date'), requireInteger(days, 'time.add_date'))),
    'time.diff': (first, second) => diff(zonedTime(first, 'time.diff'), zonedTime(second, 'time.diff')),
    'time.date': (value) => {
      const { wall } = zonedTime(value, 'time.date');
      return [wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate()];
    },
    'time.clock': (value) => {
      const { wall } = zonedTime(value, 'time.clock');
      return [wall.getUTCHours(), wall.getUTCMinutes(), wall.getUTCSeconds()];
    },
    'time.weekday': (value) => WEEKDAYS[zonedTime(value, 'time.weekday').wall.getUTCDay()],
  };
}
