import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { parse as parseCsv } from 'csv-parse/sync';
import { FORMAT_NAMES, getFormatter } from '../../../src/core/output/formatter';
import { neutraliseCell } from '../../../src/core/output/csvFormatter';
import { outputContext } from './outputContext';

const REPO = join(__dirname, '../../../..');
const GOLDEN = join(REPO, 'test/fixtures/golden');
const EXTENSION: Record<string, string> = { table: 'txt', json: 'json', sarif: 'sarif.json', junit: 'xml', csv: 'csv', markdown: 'md' };

/** Set UPDATE_GOLDEN=1 to rewrite the golden files from the current output (then review the diff). */
const update = process.env.UPDATE_GOLDEN === '1';

describe('output formats (golden files)', () => {
  it('has the eight formats behind getFormatter', () => {
    assert.deepEqual([...FORMAT_NAMES].sort(), ['asff', 'csv', 'json', 'junit', 'markdown', 'ocsf', 'sarif', 'table']);
    assert.equal(getFormatter('yaml'), undefined);
  });

  for (const name of ['table', 'json', 'sarif', 'junit', 'csv', 'markdown']) {
    for (const withCompliance of [false, true]) {
      const file = join(GOLDEN, `findings${withCompliance ? '.cis-3.0' : ''}.${EXTENSION[name]}`);
      it(`${name}${withCompliance ? ' with --framework cis-3.0' : ''} matches ${file.slice(REPO.length + 1)}`, () => {
        const output = getFormatter(name)!.format(outputContext(withCompliance));
        if (update || !existsSync(file)) {
          mkdirSync(GOLDEN, { recursive: true });
          writeFileSync(file, output);
          if (!update) assert.fail(`golden file ${file} was missing and has been written: review it and rerun`);
        }
        assert.equal(output, readFileSync(file, 'utf8'));
      });
    }
  }

  it('json gives each finding exactly the contract fields, in order', () => {
    const document = JSON.parse(getFormatter('json')!.format(outputContext(true))) as { reports: unknown[]; findings: Record<string, unknown>[] };
    assert.equal(document.reports.length, 2);
    const base = ['check', 'status', 'severity', 'user', 'arn', 'key', 'file', 'line', 'column', 'message'];
    for (const finding of document.findings) {
      const keys = Object.keys(finding);
      assert.deepEqual(keys.slice(0, 10), base);
      for (const extra of keys.slice(10)) assert.ok(['account', 'title', 'suppressed', 'controls'].includes(extra), extra);
    }
    assert.deepEqual(document.findings[0]!.controls, ['1.4']);
    assert.equal(document.findings[0]!.location, undefined);
  });

  it('sarif validates against the SARIF 2.1.0 JSON schema and locates results at the CSV cell', () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'test/fixtures/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }); // the schema's language pattern is not valid in unicode mode
    const validate = ajv.compile(schema);
    for (const withCompliance of [false, true]) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const sarif: any = JSON.parse(getFormatter('sarif')!.format(outputContext(withCompliance)));
      assert.ok(validate(sarif as object), JSON.stringify(validate.errors, null, 1));
      const first = sarif.runs[0].results[0];
      assert.equal(first.ruleId, 'root-access-key');
      assert.equal(first.level, 'error');
      assert.deepEqual(first.locations[0].physicalLocation.region, { startLine: 2, startColumn: 102, endColumn: 106 });
      assert.equal(first.locations[0].physicalLocation.artifactLocation.uri, 'reports/acct%20%22a%22.csv');
      const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'root-access-key');
      assert.match(rule.help.text, /aws iam delete-access-key/);
      const suppressed = sarif.runs[0].results.find((r: { suppressions?: unknown[] }) => r.suppressions);
      assert.deepEqual(suppressed.suppressions, [{ kind: 'external', justification: 'break-glass user, SEC-1' }]);
    }
    // An incomplete run (a report that could not be read, a located row error, a settings error with no file) is valid too.
    const incomplete = {
      ...outputContext(false), complete: false,
      problems: [
        { source: 'report' as const, file: 'missing.csv', line: null, column: null, severity: 'error' as const, code: 'unreadable', message: 'cannot read the report: no such file' },
        { source: 'report' as const, file: 'b.csv', line: 3, column: 5, severity: 'error' as const, code: 'csv-syntax', message: 'unterminated quote' },
        { source: 'settings' as const, file: '', line: null, column: null, severity: 'error' as const, code: 'bad-parameter', message: 'x is -5' },
      ],
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const broken: any = JSON.parse(getFormatter('sarif')!.format(incomplete));
    assert.ok(validate(broken as object), JSON.stringify(validate.errors, null, 1));
    assert.equal(broken.runs[0].invocations[0].executionSuccessful, false);
    assert.deepEqual(broken.runs[0].invocations[0].toolExecutionNotifications[1].locations[0].physicalLocation, { artifactLocation: { uri: 'b.csv', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 5 } });
    // The schema really rejects a broken log, so the check above is not vacuous.
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: {} }] }), false);
  });

  it('csv neutralises formula cells and stays parseable', () => {
    assert.equal(neutraliseCell('=1+1'), "'=1+1");
    for (const lead of ['+', '-', '@', '\t', '\r']) assert.equal(neutraliseCell(`${lead}x`), `'${lead}x`);
    assert.equal(neutraliseCell('alice'), 'alice');
    const rows = parseCsv(getFormatter('csv')!.format(outputContext(false)), { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 6);
    assert.equal(rows[1]!.user, `'=HYPERLINK("http://x")`);
    assert.equal(rows[2]!.user, "'-sam");
    assert.equal(rows[3]!.user, "'@ops");
    assert.equal(rows[4]!.message, "'+no MFA device data");
    assert.equal(rows[0]!.file, 'reports/acct "a".csv');
    for (const row of rows) for (const value of Object.values(row)) assert.ok(!/^[=+\-@\t\r]/.test(value), value);
  });

  it('junit counts unsuppressed failures only, and the run\'s problems as test cases of their own', () => {
    const xml = getFormatter('junit')!.format(outputContext(false));
    // 6 findings and b.csv's warning (a passing case with its text: a warning leaves the audit complete).
    assert.match(xml, /<testsuites name="credcheck" tests="7" failures="2" skipped="2"/);
    assert.match(xml, /<testsuite name="credcheck.problems" tests="1" failures="0" errors="0"/);
    assert.ok(!xml.includes('<eve>'));
  });
});
