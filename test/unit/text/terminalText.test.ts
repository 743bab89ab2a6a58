import * as assert from 'node:assert/strict';
import { escapeTerminalText } from '../../../src/core/text/terminalText';
import { displayWidth, padToWidth, wrapToWidth } from '../../../src/core/text/textWidth';

describe('terminal text: hostile characters escaped, widths in terminal columns', () => {
  it('shows C0, C1, DEL, bidi, zero-width, separator, surrogate and noncharacter code points as visible escapes', () => {
    const cases: [string, string][] = [
      ['eve\x1b]0;pwned\x07', 'eve\\x1b]0;pwned\\x07'],
      ['\x1b[2J\x1b[Hroot', '\\x1b[2J\\x1b[Hroot'],
      ['c1\u009b31m', 'c1\\x9b31m'],
      ['admin\b\bx', 'admin\\x08\\x08x'],
      ['nul\u0000byte\u007f', 'nul\\x00byte\\x7f'],
      ['a\tb\nc\rd', 'a\\tb\\nc\\rd'],
      ['user\u202egnp.exe', 'user\\u202egnp.exe'],
      ['\u2066iso\u2069 \u200f', '\\u2066iso\\u2069 \\u200f'],
      ['ad\u200bmin ad\u200dmin', 'ad\\u200bmin ad\\u200dmin'],
      ['line\u2028sep', 'line\\u2028sep'],
      ['bad\ufffe\uffff', 'bad\\ufffe\\uffff'],
      ['lone\ud800 \udc00x', 'lone\\ud800 \\udc00x'],
      ['tag\u{e0041}', 'tag\\u{e0041}'],
      ['soft\u00adhyphen\ufeff', 'soft\\xadhyphen\\ufeff'],
    ];
    for (const [input, expected] of cases) assert.equal(escapeTerminalText(input), expected, JSON.stringify(input));
  });

  it('leaves printable text alone: accents, CJK, emoji sequences and joiners between non-ASCII letters', () => {
    for (const text of ['dwight_schrute', 'élève', 'e\u0301le\u0301ve', '漢字ユーザー', '👨\u200d👩\u200d👧', 'می\u200cخواهم', 'C:\\Users\\x']) {
      assert.equal(escapeTerminalText(text), text, JSON.stringify(text));
    }
  });

  it('keeps tab and line feed only when asked (text laid out in lines of its own)', () => {
    assert.equal(escapeTerminalText('a\tb\nc\x1b', { keepLineBreaks: true }), 'a\tb\nc\\x1b');
  });

  it('counts wide, combining and emoji graphemes in terminal columns', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('漢字'), 4);
    assert.equal(displayWidth('ＡＢ'), 4);
    assert.equal(displayWidth('ﾊﾝ'), 2);
    assert.equal(displayWidth('e\u0301le\u0301ve'), 5);
    assert.equal(displayWidth('\u05e9\u05c1\u05b8'), 1); // Hebrew shin with two points (combining marks outside U+0300-U+036F)
    assert.equal(displayWidth('👨\u200d👩\u200d👧'), 2);
    assert.equal(displayWidth('🇫🇷'), 2);
    assert.equal(displayWidth('☺\ufe0f'), 2);
    assert.equal(padToWidth('漢', 4), '漢  ');
  });

  it('wraps at spaces within the width, cuts a long word between graphemes, never splits a wide character', () => {
    assert.deepEqual(wrapToWidth('user dwight has a console password', 12), ['user dwight', 'has a', 'console', 'password']);
    assert.deepEqual(wrapToWidth('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrapToWidth('漢字漢字', 3), ['漢', '字', '漢', '字']);
    assert.deepEqual(wrapToWidth('e\u0301e\u0301e\u0301', 2), ['e\u0301e\u0301', 'e\u0301']);
    for (const line of wrapToWidth('x'.repeat(50) + ' 漢字 ' + 'y '.repeat(30), 7)) assert.ok(displayWidth(line) <= 7, line);
  });

  it('measures and wraps text longer than one segmentation piece without splitting a grapheme at the cut', () => {
    assert.equal(displayWidth('e\u0301'.repeat(3000)), 3000);
    assert.equal(displayWidth('漢é'.repeat(3000)), 9000);
    assert.equal(displayWidth('9'.repeat(5000)), 5000);
    const lines = wrapToWidth('a\u0301漢'.repeat(2000), 9);
    for (const line of lines) assert.ok(displayWidth(line) <= 9 && !/^\p{M}/u.test(line), line);
    assert.equal(lines.join(''), 'a\u0301漢'.repeat(2000));
  });
});

