/**
 * SARIF as GitHub code scanning reads it: the whole `credcheck check --format sarif` output for the sample report and
 * for reports whose names need percent-encoding, validated by Microsoft's SARIF multitool (`validate --rule-kind
 * "Sarif;Gh"`, the rules GitHub's own upload validation is built from) and by the SARIF 2.1.0 JSON schema.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { Finding } from '../../../src/core/model';
import { stableFindingId } from '../../../src/core/output/findingIdentity';
import { GITHUB_RESULT_LIMIT, artifactLocation, sarifFormatterFor } from '../../../src/core/output/sarifFormatter';
import { FINDINGS, outputContext } from './outputContext';
import { INAPPLICABLE_NOTES, multitool } from '../../support/sarifMultitool';

const REPO = join(__dirname, '../../../..');
const SAMPLE = join(REPO, 'samples/sample-credential-report.csv');
function memoryIo(cwd: string): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

const schema = JSON.parse(readFileSync(join(REPO, 'test/fixtures/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
const validateSchema = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, logger: false }).compile(schema);

describe('SARIF for GitHub code scanning', function () {
  this.timeout(600_000);
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'credcheck-sarif-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ['sample-credential-report.csv', 'a #1.csv', 'q?x.csv', 'café ü.csv']) {
    it(`"${name}": the multitool (Sarif and Gh rules) finds no error or warning, and the URI names that file`, async () => {
      copyFileSync(SAMPLE, join(dir, name));
      const out = join(dir, `${name.replace(/[^a-z]/gi, '_')}.sarif`);
      const io = memoryIo(dir);
      const code = await main(['check', name, '--now', '2021-02-09T08:42:56Z', '--format', 'sarif', '--output', out], io);
      assert.equal(code, 1, io.err);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const sarif: any = JSON.parse(readFileSync(out, 'utf8'));
      assert.ok(validateSchema(sarif as object), JSON.stringify(validateSchema.errors, null, 1));
      const results = sarif.runs[0].results as { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[] }[];
      assert.ok(results.length > 10);
      for (const result of results) {
        const location = result.locations[0]!.physicalLocation.artifactLocation;
        assert.equal(location.uriBaseId, '%SRCROOT%');
        // Resolved against the base as a URI (where `#` and `?` would cut the path), it is still the file.
        const resolved = new URL(location.uri, 'file:///repo/');
        assert.equal(resolved.search + resolved.hash, '');
        assert.equal(decodeURIComponent(resolved.pathname), `/repo/${name}`);
      }
      const found = multitool(out);
      const serious = found.filter((r) => r.level === 'error' || r.level === 'warning' || r.level === undefined);
      assert.deepEqual(serious, [], JSON.stringify(serious, null, 1));
      const otherNotes = found.filter((r) => !INAPPLICABLE_NOTES.has(r.ruleId));
      assert.deepEqual(otherNotes, [], JSON.stringify(otherNotes, null, 1));
    });
  }

  it('the multitool does report the URIs credcheck used to write (so the test above can fail)', () => {
    const sarif = JSON.parse(sarifFormatterFor(() => '/repo').format(outputContext(false))) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    // What 0.x wrote: encodeURI, which leaves `#` (the name is cut at the fragment) and an absolute path (no base).
    sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation = { uri: encodeURI('a #1.csv') };
    sarif.runs[0]!.results[1]!.locations[0]!.physicalLocation.artifactLocation = { uri: '/work/reports/x.csv' };
    const file = join(dir, 'old.sarif');
    writeFileSync(file, JSON.stringify(sarif));
    const rules = multitool(file).filter((r) => r.level === 'error').map((r) => r.ruleId).sort();
    assert.deepEqual(rules, ['SARIF1002', 'SARIF1004']);
  });

  it("artifact URIs are relative to the caller's working directory (display.cwd), not the process's", () => {
    const context = outputContext(false);
    const findings = context.findings.map((f) => ({ ...f, file: `/work/project/${f.file}` }));
    type Sarif = { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[] }[] }[] };
    const uris = (sarif: Sarif) => sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation);
    const fromProject = JSON.parse(sarifFormatterFor(() => '/elsewhere').format({ ...context, findings }, { cwd: '/work/project' })) as Sarif;
    assert.deepEqual(uris(fromProject)[0], { uri: 'reports/acct%20%22a%22.csv', uriBaseId: '%SRCROOT%' });
    const fromRoot = JSON.parse(sarifFormatterFor(() => '/elsewhere').format({ ...context, findings })) as Sarif;
    assert.deepEqual(uris(fromRoot)[0], { uri: 'file:///work/project/reports/acct%20%22a%22.csv' });
  });

  it('artifact URIs: relative to %SRCROOT% inside the root, percent-encoded; a file: URI outside it', () => {
    assert.deepEqual(artifactLocation('a #1.csv', '/repo'), { uri: 'a%20%231.csv', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('./reports/q?x.csv', '/repo'), { uri: 'reports/q%3Fx.csv', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('/repo/reports/café ü.csv', '/repo'), { uri: 'reports/caf%C3%A9%20%C3%BC.csv', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('/repo/100%.csv', '/repo'), { uri: '100%25.csv', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('reports\\a.csv', '/repo'), { uri: 'reports/a.csv', uriBaseId: '%SRCROOT%' });
    assert.deepEqual(artifactLocation('/elsewhere/a #1.csv', '/repo'), { uri: 'file:///elsewhere/a%20%231.csv' });
    assert.deepEqual(artifactLocation('../up.csv', '/repo/sub'), { uri: 'file:///repo/up.csv' });
    assert.deepEqual(artifactLocation('C:\\Reports\\a #1.csv', '/repo'), { uri: 'file:///C:/Reports/a%20%231.csv' });
  });

  it('partialFingerprints come from account, user, check and key: the same alert when the user moves to another line', () => {
    const format = (findings: Finding[]) => {
      const sarif = JSON.parse(sarifFormatterFor(() => '/repo').format({ ...outputContext(false), findings })) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] };
      return sarif.runs[0]!.results.map((r) => r.partialFingerprints['credcheckFinding/v1']);
    };
    const first = format(FINDINGS);
    const moved = format(FINDINGS.map((f) => ({ ...f, line: f.line === null ? null : f.line + 7, message: `${f.message} (a day later)` })));
    assert.deepEqual(moved, first);
    assert.equal(new Set(first).size, FINDINGS.length);
    assert.match(first[0]!, /^[0-9a-f]{32}$/);
    // Another key, user or account is another alert.
    const base = FINDINGS[0]!;
    for (const change of [{ key: 2 as const }, { user: 'other' }, { account: '999999999999' }, { check: 'other-check' }]) {
      assert.notEqual(stableFindingId({ ...base, ...change }), stableFindingId(base), JSON.stringify(change));
    }
  });

  it(`past GitHub's ${GITHUB_RESULT_LIMIT} results per run: keeps the most important ones and says so in a warning`, () => {
    const many: Finding[] = [];
    for (let i = 0; i < GITHUB_RESULT_LIMIT + 2; i++) {
      many.push({ ...FINDINGS[1]!, user: `u${i}`, status: i === 5 ? 'skip' : 'fail', severity: i === 7 ? 'low' : 'high', line: i + 2 });
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const sarif: any = JSON.parse(sarifFormatterFor(() => '/repo').format({ ...outputContext(false), findings: many }));
    const results = sarif.runs[0].results as { properties: { user: string } }[];
    assert.equal(results.length, GITHUB_RESULT_LIMIT);
    const users = new Set(results.map((r) => r.properties.user));
    assert.ok(!users.has('u5') && !users.has('u7'), 'the skip and the low-severity finding are the ones left out');
    assert.equal(sarif.runs[0].properties.omittedResults, 2);
    const warning = sarif.runs[0].invocations[0].toolExecutionNotifications.find((n: { descriptor: { id: string } }) => n.descriptor.id === 'github-result-limit');
    assert.equal(warning.level, 'warning');
    assert.match(warning.message.text, /25002 findings .* 25000 results .* the 2 least important/);
  });
});
