import * as assert from 'node:assert/strict';
import MarkdownIt from 'markdown-it';
import { getFormatter } from '../../../src/core/output/formatter';
import { Finding } from '../../../src/core/model';
import { OutputContext } from '../../../src/core/output/outputModel';
import { formatQueryTable } from '../../../src/core/query/queryTableFormat';
import { hasTerminalControls } from '../../../src/core/text/terminalText';
import { displayWidth } from '../../../src/core/text/textWidth';
import { assertOutputsWellFormed, parseXml } from '../../support/outputWellFormed';
import { outputContext } from './outputContext';

/** User names an attacker who can create IAM users (or edit a report) might choose. */
export const HOSTILE_NAMES = [
  'eve\x1b]0;pwned\x07', '\x1b[2J\x1b[Hroot', 'bell\x07', 'c1\u009b31m', 'admin\b\b\b\b\bguest', 'nul\u0000byte', 'fake\rFAIL',
  'x\nFAIL    critical  root-mfa', 'user\u202egnp.exe', '\u2066isolate\u2069', 'ad\u200bmin', 'bad\ufffe', 'bad\uffff', 'lone\ud800',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[click](http://evil.example)', '![x](http://evil.example/x.png)',
  'a | extra | cell', '**bold** _em_ `code` ~~gone~~', 'eve@evil.example', 'http://evil.example/x', 'www.evil.example', '$x^2$',
  '# heading', '1. item', '=1+1', '-sam', '漢字ユーザー', 'e\u0301le\u0301ve', '👨\u200d👩\u200d👧',
];

function hostileContext(): OutputContext {
  const base = outputContext(false);
  const findings: Finding[] = HOSTILE_NAMES.map((user, index) => ({
    check: index % 2 === 0 ? 'console-user-mfa' : 'root-access-key', status: index % 5 === 4 ? 'warn' : 'fail', severity: 'high',
    user, arn: `arn:aws:iam::111122223333:user/${user}`, key: index % 3 === 0 ? 1 : null, file: 'reports/hostile.csv', line: index + 2,
    column: 'mfa_active', message: `user ${user} has a console password but no MFA device`, account: '111122223333',
    location: { line: index + 2, startColumn: 10, endColumn: 14 },
    ...(index === 7 ? { suppressed: { reason: `because ${user}`, expires: '2030-01-01' } } : {}),
  }));
  return { ...base, findings, problems: [{ source: 'report', file: 'reports/hostile.csv', line: 3, column: 1, severity: 'warning', code: 'odd', message: `odd name ${HOSTILE_NAMES[0]}` }] };
}

describe('outputs carry hostile report text safely (a corpus of hostile user names in every format)', () => {
  it('every format stays well-formed: json, sarif (schema), junit (XML 1.0), csv (parses back), markdown, table', () => {
    assertOutputsWellFormed(hostileContext());
  });

  it('table: no control or bidi character reaches the terminal, each is shown as a visible escape', () => {
    for (const display of [undefined, { width: 80, color: false }, { width: 80, color: true }]) {
      const table = getFormatter('table')!.format(hostileContext(), display);
      const plain = table.replace(/\x1b\[[0-9;]*m/g, '');
      assert.ok(!hasTerminalControls(plain.replace(/\n/g, '')), JSON.stringify(display));
      assert.ok(plain.includes('eve\\x1b]0;pwned\\x07'), plain);
      assert.ok(plain.includes('user\\u202egnp.exe'));
      assert.ok(plain.includes('c1\\x9b31m'));
      // The forged line stays inside its cell: no line of the table starts with the forged status.
      assert.ok(!/^FAIL {4}critical {2}root-mfa/m.test(plain));
      if (display) for (const line of plain.split('\n')) assert.ok(displayWidth(line) <= 80, `${displayWidth(line)}: ${line}`);
    }
  });

  it('markdown: renders as text (no HTML, link, image or emphasis from report text) and keeps every row in its cells', () => {
    const markdown = getFormatter('markdown')!.format(hostileContext());
    assert.ok(!markdown.includes('<script>'));
    assert.ok(markdown.includes('&lt;script&gt;'));
    const html = new MarkdownIt({ html: true, linkify: true }).render(markdown);
    for (const tag of ['<script', '<img', '<a ', '<em>', '<code', '<s>', '<ol']) assert.ok(!html.includes(tag), `${tag} in ${html}`);
    // Our own markup only: the title and the failing count.
    assert.equal(html.split('<h1').length - 1, 1);
    assert.equal(html.split('<strong>').length - 1, 1);
    // The names read back as themselves (the terminal escapes aside).
    for (const name of ['[click](http://evil.example)', 'eve@evil.example', '**bold** _em_ `code` ~~gone~~', 'a | extra | cell']) {
      const text = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      assert.ok(html.includes(text), `${name} not shown as text`);
    }
  });

  it('junit: U+FFFE, U+FFFF, lone surrogates and C0 controls are escaped, so the report parses as XML 1.0', () => {
    const xml = getFormatter('junit')!.format(hostileContext());
    parseXml(xml);
    assert.ok(xml.includes('bad\\ufffe') && xml.includes('bad\\uffff') && xml.includes('lone\\ud800') && xml.includes('nul\\x00byte'));
    assert.throws(() => parseXml('<a>\ufffe</a>'), /not an XML 1.0 character/);
    assert.throws(() => parseXml('<a><b></a>'));
  });

  it('query tables: cells and column names escaped, columns aligned in terminal columns for wide and combining text', () => {
    const text = formatQueryTable({ kind: 'records', columns: ['user', 'n\x1b[2J'], rows: HOSTILE_NAMES.map((name, index) => [name, index]) }, 'table');
    assert.ok(!hasTerminalControls(text.replace(/\n/g, '')));
    assert.ok(text.includes('n\\x1b[2J'));
    const widths = new Set(text.split('\n').filter((line) => line.startsWith('|') || line.startsWith('+')).map(displayWidth));
    assert.equal(widths.size, 1, text);
  });

  it('a report with 150,000 problems or findings does not overflow the stack in any format (found by the fuzz script)', () => {
    const base = outputContext(false);
    const problem = base.problems[0]!;
    const many = { ...base, problems: Array.from({ length: 150_000 }, (_, index) => ({ ...problem, line: index + 1 })) };
    const finding = base.findings[0]!;
    const findings = { ...base, findings: Array.from({ length: 150_000 }, (_, index) => ({ ...finding, line: index + 2 })) };
    for (const name of ['table', 'markdown', 'junit', 'csv', 'json', 'sarif']) {
      assert.ok(getFormatter(name)!.format(many).length > 0, name);
      assert.ok(getFormatter(name)!.format(findings, { width: 80 }).length > 0, name);
    }
    const rows = Array.from({ length: 150_000 }, (_, index) => [`user${index}`]);
    assert.match(formatQueryTable({ kind: 'records', columns: ['user'], rows }, 'table'), /150000 rows/);
  });
});
