/**
 * `--format ocsf` (OCSF 1.1.0 Detection Finding, class 2004) and `--format asff` (AWS Security Finding Format), each
 * validated against a JSON schema of the attributes its specification marks required (test/fixtures/schemas).
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { CliIo } from '../../../src/cli/io';
import { main } from '../../../src/cli/main';
import { Finding } from '../../../src/core/model';
import { asffFormatterFor, asffRegion } from '../../../src/core/output/asffFormatter';
import { stableFindingId } from '../../../src/core/output/findingIdentity';
import { getFormatter } from '../../../src/core/output/formatter';
import { FINDINGS, outputContext } from './outputContext';

const REPO = join(__dirname, '../../../..');
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false }) // anyOf [{ required: [name] }, { required: [uid] }] names properties defined one level up;
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(join(REPO, 'test/fixtures/schemas', name), 'utf8')) as object);
const validateOcsf = schema('ocsf-1.1.0-detection-finding.required.json');
const validateAsff = schema('asff-2018-10-08.required.json');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function memoryIo(cwd: string): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', cwd, env: {}, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('OCSF Detection Finding output', () => {
  it('has every attribute OCSF 1.1.0 requires of class 2004, with the account, the user as resource and the check', () => {
    for (const withCompliance of [false, true]) {
      const events: Json[] = JSON.parse(getFormatter('ocsf')!.format(outputContext(withCompliance)));
      assert.ok(validateOcsf(events), JSON.stringify(validateOcsf.errors, null, 1));
      assert.equal(events.length, FINDINGS.length);
      const root = events[0];
      assert.equal(root.class_uid, 2004);
      assert.equal(root.type_uid, 200401);
      assert.equal(root.severity_id, 5);
      assert.equal(root.time, Date.parse('2024-06-01T00:00:00.000Z'));
      assert.deepEqual(root.cloud, { provider: 'AWS', account: { uid: '111122223333', type_id: 10, type: 'AWS Account' } });
      assert.deepEqual(root.resources, [{ type: 'AWS::Account', name: '<root_account>', uid: 'arn:aws:iam::111122223333:root' }]);
      assert.equal(root.finding_info.uid, stableFindingId(FINDINGS[0]!));
      assert.equal(root.finding_info.title, 'Root user has no active access keys');
      assert.equal(root.finding_info.analytic.uid, 'root-access-key');
      assert.deepEqual(root.unmapped.credcheck.frameworks, { 'cis-3.0': ['1.4'], securityhub: ['IAM.4'] });
      if (withCompliance) assert.deepEqual(root.unmapped.credcheck.controls, ['1.4']);
      assert.match(root.remediation.desc, /delete-access-key/);
      // The suppressed finding is status Suppressed and not an alert; the user-less skip is about its report.
      assert.deepEqual([events[2].status_id, events[2].is_alert], [3, false]);
      assert.deepEqual(events[4].resources, [{ type: 'Credential Report', name: 'b.csv' }]);
      assert.deepEqual(events[4].cloud.account.uid, '444455556666');
    }
    // The schema does reject an event without a required attribute.
    const events: Json[] = JSON.parse(getFormatter('ocsf')!.format(outputContext(false)));
    delete events[0].finding_info.uid;
    assert.equal(validateOcsf(events), false);
  });
});

describe('ASFF output', () => {
  const asff = (findings: Finding[], region = 'eu-west-1'): Json[] => JSON.parse(asffFormatterFor(() => region).format({ ...outputContext(false), findings }));

  it('has every field BatchImportFindings requires, with stable Ids from account, check, user and key', () => {
    const findings = asff(FINDINGS);
    assert.ok(validateAsff(findings), JSON.stringify(validateAsff.errors, null, 1));
    const root = findings[0];
    assert.equal(root.ProductArn, 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default');
    assert.equal(root.AwsAccountId, '111122223333');
    assert.equal(root.GeneratorId, 'credcheck/root-access-key');
    assert.deepEqual(root.Severity, { Label: 'CRITICAL', Original: 'critical' });
    assert.deepEqual(root.Resources, [{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws', Region: 'eu-west-1' }]);
    assert.deepEqual(root.Compliance, { Status: 'FAILED', RelatedRequirements: ['cis-3.0/1.4', 'securityhub/IAM.4'] });
    assert.ok(root.Types.includes('Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark'));
    assert.equal(findings[1].Resources[0].Type, 'AwsIamUser');
    assert.equal(findings[1].Resources[0].Id, 'arn:aws:iam::111122223333:user/eve');
    assert.equal(findings[2].Workflow.Status, 'SUPPRESSED');
    // The skip on b.csv takes the report's account; the unused suppression (no account, two accounts in the run) cannot be imported.
    assert.equal(findings.length, FINDINGS.length - 1);
    assert.ok(!findings.some((f) => f.GeneratorId === 'credcheck/suppression'));
    assert.equal(new Set(findings.map((f) => f.Id)).size, findings.length);
    // A re-run a day later (other lines, other messages) gives the same Ids: Security Hub updates the findings.
    const again = asff(FINDINGS.map((f) => ({ ...f, line: f.line === null ? null : f.line + 3, message: `${f.message}!` })));
    assert.deepEqual(again.map((f) => f.Id), findings.map((f) => f.Id));
    // The schema does reject a finding without a required field.
    delete findings[0].GeneratorId;
    assert.equal(validateAsff(findings), false);
  });

  it('takes the region from AWS_REGION (then AWS_DEFAULT_REGION) and the partition from the region', () => {
    assert.equal(asffRegion({ AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2' }), 'eu-central-1');
    assert.equal(asffRegion({ AWS_DEFAULT_REGION: 'us-west-2' }), 'us-west-2');
    assert.equal(asffRegion({}), 'us-east-1');
    const gov = asff(FINDINGS.slice(0, 1), 'us-gov-west-1')[0];
    assert.equal(gov.ProductArn, 'arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default');
    assert.ok(validateAsff([gov]), JSON.stringify(validateAsff.errors));
  });

  it('long titles and descriptions are cut to ASFF limits', () => {
    const [long] = asff([{ ...FINDINGS[1]!, title: undefined, message: 'x'.repeat(5000) }]);
    assert.equal(long.Description.length, 1024);
    assert.ok(validateAsff([long]), JSON.stringify(validateAsff.errors));
  });
});

describe('ocsf and asff from credcheck check: an array of findings on stdout, problems on stderr and exit 2', function () {
  this.timeout(300_000);
  for (const format of ['ocsf', 'asff']) {
    it(`--format ${format} with a report that cannot be read`, async () => {
      const io = memoryIo(join(REPO, 'samples'));
      const code = await main(['check', 'sample-credential-report.csv', 'missing.csv', '--now', '2021-02-09T08:42:56Z', '--format', format], io);
      assert.equal(code, 2, io.err);
      assert.match(io.err, /missing\.csv/);
      const output: Json[] = JSON.parse(io.out);
      assert.ok(Array.isArray(output) && output.length > 10);
      const validate = format === 'ocsf' ? validateOcsf : validateAsff;
      assert.ok(validate(output), JSON.stringify(validate.errors, null, 1));
      assert.ok(!io.out.includes('missing.csv'), 'the problem is not a finding');
    });
  }
});
