import * as assert from 'assert';
import { histogram, renderSummaryPage, buildSummary } from '../../../../src/extension/logic/summaryPage';
import { CatalogEntry } from '../../../../src/core/checks/catalog';
import { Finding, PolicyInput } from '../../../../src/core/model';

const entry = (id: string, frameworks: Record<string, string[]>): CatalogEntry => ({
  id, entrypoint: `credcheck/checks/${id}`, title: `${id} title`, description: '', severity: 'high', enabledByDefault: true, parameters: [],
  frameworks, peers: {}, relatedResources: [], docs: `docs/checks/${id}.md`, source: { file: 'p.rego', line: 1 },
});

describe('summary page', () => {
  it('puts ages in buckets with the threshold on a bucket edge and counts those over it', () => {
    const data = histogram('t', [0, 29, 30, 89, 90, 91, 5000], 90);
    assert.strictEqual(data.bucketDays, 30);
    assert.deepStrictEqual(data.counts.slice(0, 4), [2, 1, 1, 2], "0-29, 30-59, 60-89, 90-119");
    assert.strictEqual(data.counts[11], 1, 'very old ages land in the last bucket');
    assert.strictEqual(data.over, 3);
    assert.strictEqual(data.total, 7);
  });

  it('summarises checks and frameworks and renders a page with a nonce CSP, no script and no remote content', () => {
    const findings: Finding[] = [
      { check: 'root-mfa', status: 'fail', severity: 'critical', user: '<root_account>', arn: null, key: null, file: 'r.csv', line: 2, column: 'mfa_active', message: 'm', account: null },
    ];
    const input = { users: [
      { user: 'a', access_key_1_active: true, access_key_1_last_rotated_days: 120, access_key_2_active: false, access_key_2_last_rotated_days: 400, password_last_used_days: 10 },
    ] } as unknown as PolicyInput;
    const data = buildSummary({
      file: 'r.csv', evaluationTime: '2026-01-01T00:00:00Z', framework: 'cis-5.0', findings, input,
      catalog: [entry('root-mfa', { 'cis-5.0': ['1.4'] }), entry('user-mfa', { 'cis-5.0': ['1.9'], securityhub: ['IAM.5'] })],
      accessKeyRotationDays: 90, unusedCredentialDays: 45,
    });
    assert.deepStrictEqual(data.checks.map((c) => [c.id, c.status, c.failing]), [['root-mfa', 'fail', 1], ['user-mfa', 'pass', 0]]);
    assert.deepStrictEqual(data.frameworks, [{ framework: 'cis-5.0', passing: 1, failing: 1 }, { framework: 'securityhub', passing: 1, failing: 0 }]);
    assert.strictEqual(data.accessKeyAges.total, 1, 'inactive keys are not counted');
    assert.strictEqual(data.accessKeyAges.over, 1);
    const html = renderSummaryPage(data, { cspSource: 'vscode-webview:', nonce: 'abc123' });
    assert.match(html, /default-src 'none'/);
    assert.match(html, /style-src 'nonce-abc123'/);
    assert.match(html, /<style nonce="abc123">/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(html, /<svg[^>]*aria-label="Active access key age/);
    assert.match(html, /&lt;root_account&gt;|root-mfa/);
  });
});
