import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditReports } from '../../../src/core/run/audit';
import { loadBundledPolicies } from '../../../src/core/checks/catalog';
import { Finding } from '../../../src/core/model';

/**
 * The peers' own test cases (test/fixtures/peer-cases, from ../shared/realworld/cases). A case whose rule is the
 * CIS/seed rule (`comparable_with_oracle`) must pass: the peer's failing users fail our check, its passing users do
 * not. Where we differ, a test states the difference and pins what we do instead.
 */
const CASES_DIR = join(__dirname, '../../../../test/fixtures/peer-cases');

interface PeerCase {
  id: string;
  check: string;
  our_equivalent_check: string;
  comparable_with_oracle: boolean;
  oracle_env: Record<string, string>;
  universe?: string[];
  mapping_note: string;
  now: string;
  csv: string;
  expected: { fail_users?: string[]; pass_users?: string[] };
}

/** The case files' names for our checks. */
const CHECK_OF: Record<string, string> = {
  access_key_rotation_90d: 'access-key-rotation',
  root_mfa: 'root-mfa',
  unused_access_keys: 'unused-access-key',
  two_active_keys: 'two-active-keys',
  root_access_keys: 'root-access-key',
  root_recent_use: 'root-recent-use',
  console_user_mfa: 'console-user-mfa',
  console_and_keys: 'console-and-access-keys',
  unused_credentials_45d: 'unused-access-key',
  unused_credentials_90d: 'unused-access-key',
  initial_access_key_setup: 'initial-access-key',
};

function ourCheck(peerCase: PeerCase): string | undefined {
  // cloudsploit's usersPasswordLastUsed is about the password half of "unused credentials".
  if (peerCase.id.startsWith('cloudsploit__usersPasswordLastUsed__')) return 'unused-password';
  // Our catalog lists cloudsploit's rootSigningCertificate as the peer of active-signing-certificate (status info).
  if (peerCase.id.startsWith('cloudsploit__rootSigningCertificate__')) return 'active-signing-certificate';
  return CHECK_OF[peerCase.our_equivalent_check];
}

/** Documented differences: why we differ, and what we report instead (user -> statuses of our check). */
const DIFFERENCES: Record<string, { why: string; ours: Record<string, string[]> }> = {
  prowler__iam_user_no_setup_initial_access_key__test_setup_access_key_1_fail: {
    why: 'last_rotated is N/A, so whether the key was set up with the user cannot be decided: the table gives warn (Prowler FAIL)',
    ours: { test_false_access_key_1: ['warn'] },
  },
  prowler__iam_user_no_setup_initial_access_key__test_setup_access_key_2_fail: {
    why: 'as key 1: last_rotated N/A gives warn, not fail',
    ours: { test_false_access_key_2: ['warn'] },
  },
  prowler__iam_user_no_setup_initial_access_key__test_setup_both_access_keys_fail: {
    why: 'as key 1, once per key',
    ours: { test_false_both_access_keys: ['warn', 'warn'] },
  },
  cloudsploit__iamUserNotInUse__03: {
    why: 'cloudsploit fails a user with no use at all; ours judge each credential, and this user has no password (password_enabled false) and no key',
    ours: { kms_key_recovery: [] },
  },
  cloudsploit__iamUserNotInUse__04: {
    why: 'as case 03, with a root row beside it',
    ours: { kms_key_recovery: [] },
  },
  cloudsploit__usersPasswordLastUsed__01: {
    why: 'password last used 61 days ago: cloudsploit only warns after 90 days, CIS (45 days) fails it',
    ours: { cloudsploit: ['fail'] },
  },
  cloudsploit__usersPasswordLastUsed__02: {
    why: 'password never used: cloudsploit falls back to user_creation_time (2 months ago), CIS to password_last_changed (2020)',
    ours: { cloudsploit: ['fail'] },
  },
  cloudsploit__rootSigningCertificate__02: {
    why: 'cloudsploit fails an active root signing certificate; ours reports every active certificate as info, never fail',
    ours: { '<root_account>': ['info'] },
  },
  prowler__iam_root_mfa_enabled__test_root_no_credentials: {
    why: 'Prowler skips a root row without credentials; the table fails root-mfa on mfa_active false whatever else the row says',
    ours: { '<root_account>': ['fail'] },
  },
};

function loadCases(): PeerCase[] {
  return readdirSync(CASES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ id: name.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(join(CASES_DIR, name), 'utf8')) as Omit<PeerCase, 'id'>) }));
}

async function evaluate(peerCase: PeerCase, check: string): Promise<Finding[]> {
  const params: Record<string, unknown> = {};
  if (peerCase.oracle_env.ROOT_RECENT_DAYS) params.rootRecentUseDays = Number(peerCase.oracle_env.ROOT_RECENT_DAYS);
  const result = await auditReports({ reports: [{ file: `${peerCase.id}.csv`, text: peerCase.csv }], now: new Date(peerCase.now), params, enabledChecks: [check], bundled: loadBundledPolicies() });
  assert.deepEqual(result.policyProblems, []);
  const universe = peerCase.universe ? new Set(peerCase.universe) : undefined;
  return result.findings.filter((f) => f.check === check && (!universe || (f.user !== null && universe.has(f.user))));
}

describe('peer test cases', () => {
  const cases = loadCases();

  it('has all 97 cases', () => assert.equal(cases.length, 97));

  for (const peerCase of cases) {
    const check = ourCheck(peerCase);
    const difference = DIFFERENCES[peerCase.id];
    if (difference) {
      it(`${peerCase.id}: differs from the peer (${difference.why})`, async () => {
        assert.ok(check);
        const findings = await evaluate(peerCase, check!);
        for (const [user, statuses] of Object.entries(difference.ours)) {
          assert.deepEqual(findings.filter((f) => f.user === user).map((f) => f.status).sort(), [...statuses].sort(), user);
        }
        // And the peer's verdict, where it names users, is indeed not ours, so the entry stays honest.
        const peerFails = peerCase.expected.fail_users ?? [];
        const peerPasses = peerCase.expected.pass_users ?? [];
        const oursFail = new Set(findings.filter((f) => f.status === 'fail').map((f) => f.user));
        if (peerFails.length + peerPasses.length > 0) assert.ok(peerFails.some((u) => !oursFail.has(u)) || peerPasses.some((u) => oursFail.has(u)));
        else assert.ok(oursFail.size > 0, 'the peer reports nothing here; we do');
      });
    } else if (check) {
      const kind = peerCase.comparable_with_oracle ? 'same rule' : 'a different rule that agrees here';
      it(`${peerCase.id}: ${check} matches the peer (${kind})`, async () => {
        const findings = await evaluate(peerCase, check);
        const failing = new Set(findings.filter((f) => f.status === 'fail').map((f) => f.user));
        for (const user of peerCase.expected.fail_users ?? []) assert.ok(failing.has(user), `${user} should fail ${check}`);
        for (const user of peerCase.expected.pass_users ?? []) assert.ok(!failing.has(user), `${user} should pass ${check}`);
      });
    } else {
      it(`${peerCase.id}: no equivalent check (${peerCase.mapping_note.slice(0, 80)})`, () => {
        assert.equal(peerCase.comparable_with_oracle, false);
        // The peer's check name appears in no check's peer mapping: we do not claim to cover it.
        const peerName = peerCase.id.split('__')[1]!;
        const claimed = loadBundledPolicies().checks.filter((entry) => Object.values(entry.peers).includes(peerName));
        assert.deepEqual(claimed.map((c) => c.id), []);
      });
    }
  }
});
