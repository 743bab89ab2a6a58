import * as assert from 'node:assert/strict';
import { ageInDays, explainBadReportTime, formatUtcTime, parseReportTime } from '../../../src/core/report/timeValues';

describe('report times', () => {
  it('reads every form found in reports as the same UTC instant', () => {
    const forms = [
      '2024-04-22T19:47:52Z',
      '2024-04-22T19:47:52+00:00',
      '2024-04-22 19:47:52',
      '2024-04-22 19:47:52+00:00',
      '2024-04-22T21:47:52+02:00',
      '2024-04-22T14:47:52-0500',
      '2024-04-22T19:47:52.000Z',
      ' 2024-04-22t19:47:52z ',
    ];
    for (const form of forms) assert.equal(parseReportTime(form)?.iso, '2024-04-22T19:47:52Z', form);
  });

  it('keeps milliseconds only when they are not zero, and truncates digits beyond them', () => {
    assert.equal(parseReportTime('2024-04-22T19:47:52.5Z')?.iso, '2024-04-22T19:47:52.500Z');
    assert.equal(parseReportTime('2024-04-22T19:47:52.123456+00:00')?.iso, '2024-04-22T19:47:52.123Z');
    assert.equal(parseReportTime('2024-04-22T19:47:52.999999Z')?.iso, '2024-04-22T19:47:52.999Z');
  });

  it('crosses a day boundary when the offset says so', () => {
    assert.equal(parseReportTime('2024-01-01T01:30:00+02:00')?.iso, '2023-12-31T23:30:00Z');
    assert.equal(parseReportTime('2023-12-31T23:30:00-01:00')?.iso, '2024-01-01T00:30:00Z');
  });

  it('refuses special values, empty text and impossible dates', () => {
    for (const text of ['N/A', 'no_information', 'not_supported', '', '  ', 'yesterday', '2016-02-30T00:00:00Z', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T10:60:00Z', '2024-01-01T10:00:00+25:00', '20240101T000000Z']) {
      assert.equal(parseReportTime(text), null, JSON.stringify(text));
    }
    assert.equal(parseReportTime('2024-02-29T00:00:00Z')?.iso, '2024-02-29T00:00:00Z', 'a leap day is a day');
  });

  it('keeps years before 100 and the Unix epoch as written', () => {
    assert.equal(parseReportTime('1970-01-01T00:00:00+00:00')?.epochMs, 0);
    assert.equal(parseReportTime('0099-05-01T00:00:00Z')?.iso, '0099-05-01T00:00:00Z');
  });

  it('takes years 0001-9999, written and in UTC after the offset, and offsets up to 23:59 (issue 15 class 6)', () => {
    const accepted: [string, string][] = [
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
      ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59Z'],
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
      ['0001-01-01T23:59:00+23:59', '0001-01-01T00:00:00Z'],
      ['9999-12-31T00:00:59-23:59', '9999-12-31T23:59:59Z'],
      ['2024-06-01T12:00:00-23:59', '2024-06-02T11:59:00Z'],
    ];
    for (const [text, iso] of accepted) {
      assert.equal(parseReportTime(text)?.iso, iso, text);
      assert.equal(explainBadReportTime(text), undefined, text);
    }
    const refused: [string, RegExp][] = [
      ['9999-12-31T23:59:59-23:59', /in UTC \(after the offset -23:59\) it falls outside the years 0001-9999/],
      ['9999-12-31T23:59:59-00:01', /outside the years 0001-9999/],
      ['0001-01-01T00:00:00+00:01', /in UTC \(after the offset \+00:01\) it falls outside the years 0001-9999/],
      ['0001-01-01T00:00:00+01', /after the offset \+01:00\)/],
      ['0000-01-01T00:00:00+14:00', /year 0000 is outside the years 0001-9999/],
      ['0000-12-31T23:00:00-02:00', /year 0000/],
      ['2015-06-30T23:59:60Z', /a leap second \(:60\) cannot be represented/],
      ['2024-02-30T00:00:00Z', /day 30 does not exist in 2024-02/],
      ['2023-02-29T00:00:00Z', /day 29 does not exist in 2023-02/],
      ['2024-01-01T24:00:00Z', /24:00:00 is not a time of day/],
      ['2024-01-01T00:00:00+24:00', /the offset \+24:00 is outside -23:59\.\.\+23:59 \(RFC 3339\)/],
      ['2024-01-01T00:00:00-00:60', /the offset -00:60 is outside/],
      ['2024-13-01T00:00:00Z', /month 13 does not exist/],
      ['yesterday', /not an ISO 8601 time/],
    ];
    for (const [text, reason] of refused) {
      assert.equal(parseReportTime(text), null, text);
      assert.match(explainBadReportTime(text)!, reason, text);
    }
  });

  it('measures ages in exact fractional days, negative in the future', () => {
    const now = new Date('2024-01-11T12:00:00Z');
    assert.equal(ageInDays(Date.parse('2024-01-01T00:00:00Z'), now), 10.5);
    assert.equal(ageInDays(Date.parse('2024-01-12T00:00:00Z'), now), -0.5);
    assert.equal(formatUtcTime(now), '2024-01-11T12:00:00Z');
  });
});
