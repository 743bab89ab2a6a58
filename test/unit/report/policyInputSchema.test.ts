import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { CURRENT_COLUMNS, TIME_COLUMN_NAMES } from '../../../src/core/report/columns';
import { normalizeReport } from '../../../src/core/report/normalizer';
import { parseReport } from '../../../src/core/report/reportParser';
import { reportText, userLine } from './reportText';

/** schema/policy-input.schema.json is what policy authors and editors validate against: it must match what we produce. */

const root = join(__dirname, '..', '..', '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'schema', 'policy-input.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function assertValid(document: unknown, what: string): void {
  const valid = validate(JSON.parse(JSON.stringify(document)));
  assert.ok(valid, `${what}: ${ajv.errorsText(validate.errors)}`);
}

describe('the policy input JSON Schema', () => {
  it('accepts the input of every real-world report and of the sample', () => {
    const directory = join(root, 'test', 'fixtures', 'reports', 'realworld');
    const files = readdirSync(directory)
      .filter((name) => name.endsWith('.csv'))
      .map((name) => join(directory, name));
    files.push(join(root, 'samples', 'sample-credential-report.csv'));
    for (const file of files) {
      assertValid(normalizeReport(parseReport(readFileSync(file, 'utf8'), file), new Date('2021-02-09T08:42:56Z')), file);
    }
  });

  it('accepts unknown columns, extras and odd cells', () => {
    const text = `user,arn,mfa_active,owner_team\nx,arn:aws:iam::111122223333:user/x,maybe,platform\ny,,TRUE,\n`;
    const input = normalizeReport(parseReport(text, 'custom.csv'), new Date('2024-01-01T00:00:00.5Z'), {
      mfaDevices: [{ serial_number: 'arn:aws:iam::111122223333:mfa/x', user: 'x', type: 'virtual' }],
      generatedTime: '2024-01-01T00:00:00Z',
    });
    assertValid(input, 'custom');
  });

  it('names every column, every age and every derived field the normaliser writes', () => {
    const user = schema.$defs.user;
    const [normalized] = normalizeReport(parseReport(reportText(userLine()), 'r.csv'), new Date()).users;
    assert.deepEqual(Object.keys(user.properties).sort(), Object.keys(normalized).sort());
    assert.deepEqual([...user.required].sort(), Object.keys(normalized).sort());
    for (const column of CURRENT_COLUMNS) assert.ok(user.properties[column].description, `${column} is described`);
    for (const column of TIME_COLUMN_NAMES) assert.ok(user.properties[`${column}_days`], `${column}_days`);
  });

  it('rejects a document that breaks the contract', () => {
    const input = normalizeReport(parseReport(reportText(userLine()), 'r.csv'), new Date('2024-01-01T00:00:00Z'));
    const broken = JSON.parse(JSON.stringify(input));
    broken.users[0].password_last_used = '2024-03-01T12:00:00+00:00';
    broken.users[0].mfa_active = 'true';
    assert.equal(validate(broken), false);
    assert.equal(validate({ ...input, evaluation_time: 'yesterday' }), false);
  });
});
