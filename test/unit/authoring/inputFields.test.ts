import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { AWS_COLUMN_DOCS } from '../../../src/core/authoring/awsColumnDocs';
import { ELEMENT, fieldAt, fieldsAt, isArrayPath, isKnownPath, rootFields } from '../../../src/core/authoring/inputFields';
import { CURRENT_COLUMNS } from '../../../src/core/report/columns';
import { sampleInput } from './authoringFixtures';

describe('authoring: input field catalogue', () => {
  it('has AWS text for every column AWS writes, taken from the seed page (not paraphrased)', () => {
    assert.deepStrictEqual(Object.keys(AWS_COLUMN_DOCS), [...CURRENT_COLUMNS]);
    // The seed page sits beside the checkout (../shared) or beside a worktree's parent; when absent, the text checks above still run.
    const repository = path.join(__dirname, '..', '..', '..', '..');
    const seedFolder = [path.join(repository, '..', 'shared', 'seeds'), path.join(repository, '..', '..', 'shared', 'seeds')].find((folder) => fs.existsSync(folder)) ?? '';
    const seed = seedFolder ? fs.readdirSync(seedFolder).find((name) => name.startsWith('004_')) : undefined;
    assert.match(AWS_COLUMN_DOCS.password_last_used!, /`no_information` in these cases/);
    assert.match(AWS_COLUMN_DOCS.password_enabled!, /for new member accounts created as part of your organization/);
    assert.match(AWS_COLUMN_DOCS.access_key_1_last_used_region!, /\n- The last used service is not Region-specific, such as Amazon S3\./);
    if (seed) {
      // Every sentence start we show is in AWS's page.
      const text = fs.readFileSync(path.join(seedFolder, seed), 'utf8').replace(/\s+/g, ' ').replace(/ ([.,])/g, '$1');
      for (const [column, doc] of Object.entries(AWS_COLUMN_DOCS)) {
        const firstSentence = doc.split('. ')[0]!.replace(/`/g, '').replace(/\s+/g, ' ');
        assert.ok(text.includes(firstSentence.slice(0, 60)), `${column}: "${firstSentence.slice(0, 60)}" is not AWS's text`);
      }
    }
  });

  it('lists every field of a real normalised user, and only those, for a row', () => {
    const user = sampleInput().users[1]!;
    const names = fieldsAt(['users', ELEMENT]).map((field) => field.name);
    assert.deepStrictEqual([...names].sort(), Object.keys(user).sort());
  });

  it('describes a column with its type, our special values and AWS meaning; derived fields in our words', () => {
    const mfa = fieldAt(['users', ELEMENT, 'mfa_active'])!;
    assert.strictEqual(mfa.type, 'boolean | null');
    assert.strictEqual(mfa.derived, false);
    assert.match(mfa.aws!, /multi-factor authentication/);
    assert.match(mfa.specialValues!, /`null` is not `false`/);
    const days = fieldAt(['users', ELEMENT, 'password_last_used_days'])!;
    assert.strictEqual(days.derived, true);
    assert.strictEqual(days.aws, undefined);
    assert.strictEqual(days.type, 'number | null');
    assert.match(days.specialValues!, /null` when `password_last_used` is null/);
    const status = fieldAt(['users', ELEMENT, 'password_last_used_status'])!;
    assert.strictEqual(status.type, '"used" | "never_used" | "no_password" | "unknown"');
    assert.strictEqual(fieldAt(['users', ELEMENT, 'password_last_used'])!.type, 'null | string (UTC time)');
  });

  it('walks input: root, report, arrays, raw cells; rejects unknown names', () => {
    assert.deepStrictEqual(rootFields().map((field) => field.name), ['evaluation_time', 'report', 'users', 'mfa_devices']);
    assert.deepStrictEqual(fieldsAt(['report']).map((field) => field.name), ['file', 'layout', 'columns', 'generated_time', 'account_id']);
    assert.ok(isArrayPath(['users']));
    assert.ok(isArrayPath(['mfa_devices']), 'null or an array');
    assert.deepStrictEqual(fieldsAt(['mfa_devices', ELEMENT]).map((field) => field.name), ['serial_number', 'user', 'type']);
    assert.ok(fieldsAt(['users', ELEMENT, 'raw']).some((field) => field.name === 'mfa_active' && field.type === 'string'));
    assert.strictEqual(fieldAt(['users', ELEMENT, 'mfa_actve']), undefined);
    assert.ok(!isKnownPath(['report', 'nope']));
  });
});
