import * as assert from 'node:assert/strict';
import { addDate, createTimeBuiltins, parseDurationNs, parseRfc3339Ns, parseWithLayout, TIME_BUILTIN_NAMES, TimeBuiltinError } from '../../../src/core/engine/timeBuiltins';

const text = (value: unknown) => new TextDecoder().decode(value as ArrayBuffer);

describe('time builtins', () => {
  const now = new Date('2024-06-01T12:34:56.789Z');
  const builtins = createTimeBuiltins(() => now);

  it('implements exactly the listed builtins', () => {
    assert.deepEqual(Object.keys(builtins).sort(), [...TIME_BUILTIN_NAMES].sort());
  });

  it('time.now_ns returns the evaluation time as an exact integer, the same on every call', () => {
    assert.equal(text(builtins['time.now_ns']!()), '1717245296789000000');
    assert.equal(text(builtins['time.now_ns']!()), '1717245296789000000');
  });

  it('parses RFC 3339 exactly, with Z, offsets and nanoseconds', () => {
    assert.equal(parseRfc3339Ns('2024-01-02T03:04:05.123456789Z'), 1704164645123456789n);
    assert.equal(parseRfc3339Ns('2024-01-02T04:04:05+01:00'), 1704164645000000000n);
    assert.equal(parseRfc3339Ns('1970-01-01T00:00:00Z'), 0n);
    assert.equal(parseRfc3339Ns('1969-12-31T23:59:59Z'), -1000000000n);
    assert.throws(() => parseRfc3339Ns('2024-02-30T00:00:00Z'), /out of range/);
    assert.throws(() => parseRfc3339Ns('2024-01-02 03:04:05Z'), /cannot parse/);
  });

  it('accepts what Go\'s RFC 3339 parser accepts and refuses what OPA refuses (int64 nanoseconds, leap seconds)', () => {
    // Values checked against opa eval (test/unit/differential/hostBuiltinEdges.test.ts runs the whole table).
    assert.equal(parseRfc3339Ns('2024-01-01T00:00:00,5Z'), 1704067200500000000n);
    assert.equal(parseRfc3339Ns('2024-01-01T00:00:00.1234567891Z'), 1704067200123456789n);
    assert.equal(parseRfc3339Ns('2024-01-01T00:00:00+24:00'), 1703980800000000000n);
    assert.equal(parseRfc3339Ns('1677-09-21T00:12:43.145224192Z'), -(2n ** 63n));
    assert.equal(parseRfc3339Ns('2262-04-11T23:47:16.854775807Z'), 2n ** 63n - 1n);
    for (const text of ['2262-04-11T23:47:16.854775808Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59-23:59', '2015-06-30T23:59:60Z', '2024-01-01T00:00:00+25:00', '2024-01-01t00:00:00Z', '2024-01-01T00:00:00z']) {
      assert.throws(() => parseRfc3339Ns(text), TimeBuiltinError, text);
    }
    assert.throws(() => parseDurationNs('2562048h'), /outside of valid range/);
    assert.throws(() => addDate(0n, 293, 0, 0), /outside of valid range/);
    assert.throws(() => builtins['time.date']!(1e19), /int64/);
  });

  it('parses Go layouts and durations', () => {
    assert.equal(parseWithLayout('2006-01-02', '2024-03-01'), 1709251200000000000n);
    assert.equal(parseWithLayout('RFC1123Z', 'Fri, 01 Mar 2024 10:00:00 +0200'), 1709280000000000000n);
    assert.equal(parseWithLayout('Jan 2, 2006 at 3:04pm', 'Mar 1, 2024 at 1:05pm') > 0n, true);
    assert.equal(parseDurationNs('1h30m'), 5400000000000n);
    assert.equal(parseDurationNs('-1.5h'), -5400000000000n);
    assert.equal(parseDurationNs('300ms'), 300000000n);
    assert.equal(parseDurationNs('0'), 0n);
    assert.throws(() => parseDurationNs('1d'), /invalid duration/);
  });

  it('adds dates the way Go normalises them', () => {
    // 2024-01-31 + 1 month = 2024-02-31 = 2024-03-02 (leap year), as in Go's AddDate.
    assert.equal(addDate(parseRfc3339Ns('2024-01-31T10:00:00Z'), 0, 1, 0), parseRfc3339Ns('2024-03-02T10:00:00Z'));
    assert.equal(addDate(parseRfc3339Ns('2024-02-29T00:00:00.5Z'), 1, 0, 0), parseRfc3339Ns('2025-03-01T00:00:00.5Z'));
    assert.equal(addDate(parseRfc3339Ns('2024-03-01T00:00:00Z'), 0, 0, -1), parseRfc3339Ns('2024-02-29T00:00:00Z'));
  });

  it('splits instants into date, clock and weekday, in UTC or a named zone', () => {
    const ns = Number(parseRfc3339Ns('2024-03-01T23:30:15Z'));
    assert.deepEqual(builtins['time.date']!(ns), [2024, 3, 1]);
    assert.deepEqual(builtins['time.clock']!(ns), [23, 30, 15]);
    assert.equal(builtins['time.weekday']!(ns), 'Friday');
    assert.deepEqual(builtins['time.date']!([ns, 'Asia/Tokyo']), [2024, 3, 2]);
    assert.deepEqual(builtins['time.clock']!([ns, 'America/New_York']), [18, 30, 15]);
    assert.throws(() => builtins['time.date']!([ns, 'Mars/Olympus']), /unknown time zone/);
  });

  it('time.diff matches OPA (order-free, month borrow by the earlier month length)', () => {
    const a = Number(parseRfc3339Ns('2024-01-31T00:00:00Z'));
    const b = Number(parseRfc3339Ns('2024-03-01T12:00:01Z'));
    // Values checked against opa eval 'time.diff(...)'.
    assert.deepEqual(builtins['time.diff']!(a, b), [0, 1, 1, 12, 0, 1]);
    assert.deepEqual(builtins['time.diff']!(b, a), [0, 1, 1, 12, 0, 1]);
  });
});
