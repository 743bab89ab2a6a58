import * as assert from 'node:assert/strict';
import { ageInDays, formatUtcTime, parseReportTime } from '../../../src/core/report/timeValues';

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

  it('measures ages in exact fractional days, negative in the future', () => {
    const now = new Date('2024-01-11T12:00:00Z');
    assert.equal(ageInDays(Date.parse('2024-01-01T00:00:00Z'), now), 10.5);
    assert.equal(ageInDays(Date.parse('2024-01-12T00:00:00Z'), now), -0.5);
    assert.equal(formatUtcTime(now), '2024-01-11T12:00:00Z');
  });
});
