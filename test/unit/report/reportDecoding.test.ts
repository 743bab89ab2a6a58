import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeReportText, decodingProblems } from '../../../src/core/report/reportDecoding';
import { decodeReportBytes } from '../../../src/core/report/reportLoader';
import { parseReport, parseReportBytes } from '../../../src/core/report/reportParser';
import { reportText, userLine } from './reportText';

/** The character an editor shows at a line and UTF-16 column of a text. */
function charAt(text: string, line: number, column: number): string | undefined {
  return text.split(/\r\n|\r|\n/)[line - 1]?.[column];
}

function concat(...parts: Array<string | number[]>): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));
}

describe('decodeReportText', () => {
  it('decodes valid UTF-8 and UTF-16 with no invalid sequence', () => {
    const text = 'user,arn\nzoë,𝒳\n';
    assert.deepEqual(decodeReportText(Buffer.from(text)), { text, encoding: 'utf-8', invalid: [], invalidCount: 0 });
    assert.deepEqual(decodeReportText(concat([0xef, 0xbb, 0xbf], text)).text, text, 'the BOM is not part of the text');
    const littleEndian = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.deepEqual(decodeReportText(littleEndian), { text, encoding: 'utf-16le', invalid: [], invalidCount: 0 });
  });

  it('locates each invalid UTF-8 sequence by line, column and byte offset, BOM and CRLF included', () => {
    // Line 2 holds 𝒳 (two UTF-16 units) before the bad byte: columns count UTF-16 units, as the parser does.
    const bytes = concat([0xef, 0xbb, 0xbf], 'user,arn\r\n𝒳a', [0xff], 'b\r', [0xc3], '(x\n', [0xe2, 0x82]);
    const decoded = decodeReportText(bytes);
    assert.equal(decoded.text, 'user,arn\r\n𝒳a\uFFFDb\r\uFFFD(x\n\uFFFD');
    assert.equal(decoded.invalidCount, 3);
    assert.deepEqual(decoded.invalid, [
      { line: 2, column: 3, byteOffset: 3 + 10 + 5, bytes: 'FF' },
      { line: 3, column: 0, byteOffset: 3 + 10 + 5 + 1 + 2, bytes: 'C3' },
      { line: 4, column: 0, byteOffset: bytes.length - 2, bytes: 'E2 82' },
    ]);
    for (const sequence of decoded.invalid) assert.equal(charAt(decoded.text, sequence.line, sequence.column), '\uFFFD');
  });

  it('locates an unpaired surrogate and a last odd byte in UTF-16', () => {
    const units = Buffer.from('ab\nc', 'utf16le');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), units, Buffer.from([0x00, 0xd8]), Buffer.from('d', 'utf16le'), Buffer.from([0x41])]);
    const decoded = decodeReportText(bytes);
    assert.equal(decoded.encoding, 'utf-16le');
    assert.equal(decoded.text, 'ab\nc\uFFFDd\uFFFD');
    assert.deepEqual(decoded.invalid, [
      { line: 2, column: 1, byteOffset: 10, bytes: '00 D8' },
      { line: 2, column: 3, byteOffset: 14, bytes: '41' },
    ]);
  });

  it('lists at most the cap and counts the rest', () => {
    const bytes = concat('user,arn\n', ...Array.from({ length: 30 }, () => [0x80]));
    const decoded = decodeReportText(bytes, 20);
    assert.equal(decoded.invalidCount, 30);
    assert.equal(decoded.invalid.length, 20);
    assert.deepEqual(decoded.firstUnlisted, { line: 2, column: 20, byteOffset: 9 + 20, bytes: '80' });
    const problems = decodingProblems('r.csv', decoded);
    assert.equal(problems.length, 21);
    assert.match(problems[20].message, /^10 more invalid UTF-8 sequences from here on/);
  });

  it('gives the same text as before for any bytes, and one located U+FFFD per invalid sequence (property)', () => {
    const noReplacementCharacter = fc.uint8Array({ maxLength: 200 }).filter((bytes) => !Buffer.from(bytes).includes(Buffer.from([0xef, 0xbf, 0xbd])));
    fc.assert(
      fc.property(noReplacementCharacter, (bytes) => {
        const decoded = decodeReportText(bytes, Infinity);
        assert.equal(decoded.text, new TextDecoder('utf-8').decode(bytes));
        assert.equal(decodeReportBytes(bytes), decoded.text);
        assert.equal(decoded.invalidCount, [...decoded.text].filter((char) => char === '\uFFFD').length);
        assert.equal(decoded.invalid.length, decoded.invalidCount);
        let previous = -1;
        for (const sequence of decoded.invalid) {
          assert.equal(charAt(decoded.text, sequence.line, sequence.column), '\uFFFD', JSON.stringify(sequence));
          assert.ok(sequence.byteOffset > previous);
          assert.equal(bytes[sequence.byteOffset], parseInt(sequence.bytes.slice(0, 2), 16));
          previous = sequence.byteOffset;
        }
      }),
      { seed: 20210209, numRuns: 2000 },
    );
  });
});

describe('parseReportBytes', () => {
  it('reads every row and warns, on the cell, about each byte that is not UTF-8', () => {
    const text = reportText(userLine(), userLine({ user: 'bob\u0000' }), userLine({ user: 'carol' }));
    // The NUL stands for the invalid byte: bob's user name holds 0xFF.
    const bytes = Buffer.from(text, 'utf8');
    bytes[bytes.indexOf(0)] = 0xff;
    const report = parseReportBytes(bytes, 'latin.csv');
    assert.deepEqual(
      report.rows.map((row) => [row.line, row.cells.user]),
      [
        [2, 'alice'],
        [3, 'bob\uFFFD'],
        [4, 'carol'],
      ],
    );
    assert.deepEqual(report.problems, [
      {
        file: 'latin.csv',
        line: 3,
        column: 'user',
        location: { line: 3, startColumn: 3, endColumn: 4 },
        severity: 'warning',
        code: 'invalid-utf8',
        message: `byte FF at byte offset ${bytes.indexOf(0xff)} is not valid UTF-8; read as U+FFFD (\uFFFD), so this value is not exactly what the file holds`,
      },
    ]);
  });

  it('adds nothing to a valid file, and nothing but the fatal error to a file that is not a report', () => {
    const text = reportText(userLine());
    assert.deepEqual(parseReportBytes(Buffer.from(text), 'r.csv'), parseReport(text, 'r.csv'));
    const binary = parseReportBytes(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80]), 'zip.csv');
    assert.deepEqual(
      binary.problems.map((problem) => problem.code),
      ['not-a-report'],
    );
  });
});
