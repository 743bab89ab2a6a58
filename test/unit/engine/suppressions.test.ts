import * as assert from 'node:assert/strict';
import { Finding } from '../../../src/core/model';
import * as fc from 'fast-check';
import { applySuppressions, markSuppressed, parseSuppressions, Suppression, SUPPRESSION_LIMITS, SuppressionFileError } from '../../../src/core/run/suppressions';
import { MatchMeter, UserGlob } from '../../../src/core/run/userGlob';

function finding(check: string, user: string, key: 1 | 2 | null = null, status: Finding['status'] = 'fail'): Finding {
  return { check, status, severity: 'medium', user, arn: null, key, file: 'r.csv', line: 2, column: null, message: `${check} ${user}`, account: null };
}

const FILE = `suppressions:
  - check: access-key-rotation
    user: "ci-*"
    key: 2
    reason: rotated by the vault
  - check: console-user-mfa
    user: alice
    reason: SSO only
    expires: 2024-05-31
  - check: two-active-keys
    user: nobody
    reason: stale entry
`;

describe('suppressions', () => {
  it('parses entries with their lines', () => {
    const entries = parseSuppressions(FILE, 's.yaml');
    assert.deepEqual(entries.map((e) => [e.check, e.user, e.key, e.expires, e.line]), [
      ['access-key-rotation', 'ci-*', 2, null, 2],
      ['console-user-mfa', 'alice', null, '2024-05-31', 6],
      ['two-active-keys', 'nobody', null, null, 10],
    ]);
    assert.deepEqual(parseSuppressions('- check: a\n  user: b\n  reason: c\n', 'list.yaml').map((e) => e.check), ['a']);
    assert.deepEqual(parseSuppressions('', 'empty.yaml'), []);
  });

  for (const [text, expected] of [
    ['suppressions:\n  - check: a\n    user: b\n', 's.yaml:2:5: a suppression needs "reason"'],
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    key: 3\n', 's.yaml:5:10: "key" must be 1 or 2'],
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    expires: soon\n', 's.yaml:5:14: "expires" must be a date (YYYY-MM-DD), got "soon"'],
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    owner: me\n', 's.yaml:5:5: unknown field "owner" (expected check, user, key, reason, expires)'],
    ['suppressions: 3\n', 's.yaml:1:1: expected a list of suppressions (under a "suppressions:" key)'],
    ['suppressions:\n  - check: [a\n', 's.yaml:3:1'],
    // Date.parse takes 2024-02-30 for March 1st: an impossible date is an error, not a silent other day.
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    expires: 2024-02-30\n', 's.yaml:5:14: "expires" must be a date (YYYY-MM-DD), got "2024-02-30"'],
    ['suppressions:\n  - check: a\n    user: b\n    reason: r\n    expires: 2023-02-29\n', 's.yaml:5:14: "expires" must be a date (YYYY-MM-DD), got "2023-02-29"'],
    [`suppressions:\n  - check: a\n    user: "${'x'.repeat(129)}"\n    reason: r\n`, 's.yaml:3:11: "user" is 129 characters, more than the 128 allowed'],
    [`suppressions:\n  - check: ${'c'.repeat(200)}\n    user: b\n    reason: r\n`, 's.yaml:2:12: "check" is 200 characters, more than the 128 allowed'],
  ] as const) {
    it(`locates a malformed file: ${expected}`, () => {
      assert.throws(() => parseSuppressions(text, 's.yaml'), (error: unknown) => error instanceof SuppressionFileError && error.message.startsWith(expected));
    });
  }

  it('marks matching findings suppressed by check, user glob and key; reports expired and unused entries', () => {
    const entries = parseSuppressions(FILE, 's.yaml');
    const input = [
      finding('access-key-rotation', 'ci-deploy', 2),
      finding('access-key-rotation', 'ci-deploy', 1),
      finding('access-key-rotation', 'deploy-ci', 2),
      finding('console-user-mfa', 'alice'),
    ];
    const before = applySuppressions(input, entries, new Date('2024-05-31T23:59:59Z'));
    assert.deepEqual(before.filter((f) => f.suppressed).map((f) => [f.check, f.user, f.key]), [
      ['access-key-rotation', 'ci-deploy', 2],
      ['console-user-mfa', 'alice', null],
    ]);
    assert.deepEqual(before.filter((f) => f.check === 'suppression').map((f) => [f.status, f.line, f.message]), [
      ['warn', 10, 'suppression of two-active-keys for nobody matched no finding; remove it'],
    ]);
    // The day after the expiry date the entry no longer applies and is reported.
    const after = applySuppressions(input, entries, new Date('2024-06-01T00:00:00Z'));
    assert.equal(after.find((f) => f.check === 'console-user-mfa')!.suppressed, undefined);
    assert.ok(after.some((f) => f.check === 'suppression' && f.line === 6 && /expired on 2024-05-31/.test(f.message)));
  });

  it('accepts a leap day and reads it back as written', () => {
    assert.deepEqual(parseSuppressions('- check: a\n  user: b\n  reason: r\n  expires: 2024-02-29\n', 's.yaml').map((e) => e.expires), ['2024-02-29']);
  });

  it('warns about an entry that suppresses a check for every user, and still applies it', () => {
    const entries = parseSuppressions('- check: user-mfa\n  user: "*"\n  reason: r\n- check: user-mfa\n  user: "a*"\n  reason: r\n', 's.yaml');
    const result = applySuppressions([finding('user-mfa', 'alice'), finding('user-mfa', 'bob')], entries, new Date('2024-01-01T00:00:00Z'));
    assert.deepEqual(result.filter((f) => f.check === 'user-mfa').map((f) => Boolean(f.suppressed)), [true, true]);
    const warnings = result.filter((f) => f.check === 'suppression');
    assert.deepEqual(warnings.map((f) => [f.status, f.file, f.line]), [['warn', 's.yaml', 1], ['warn', 's.yaml', 4]]);
    assert.match(warnings[0]!.message, /for every user \("\*"\): no finding of user-mfa is reported/);
    // The narrower pattern lost to the earlier catch-all and matched nothing: reported as unused, not as everyone.
    assert.match(warnings[1]!.message, /suppression of user-mfa for a\* matched no finding/);
  });
});

/** The glob semantics the RegExp version had (`*` any run, `?` one character, the rest literal), as a reference. */
function referenceGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

describe('suppression user patterns', () => {
  it('match like the RegExp globs they replace (random patterns and names)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '.', '-'), maxLength: 9 }), fc.string({ unit: fc.constantFrom('a', 'b', '.', '-'), maxLength: 10 }), (pattern, name) => {
        assert.equal(new UserGlob(pattern).matches(name), referenceGlob(pattern).test(name), `${JSON.stringify(pattern)} on ${JSON.stringify(name)}`);
      }),
      { numRuns: 5000 },
    );
    // Long segments (several 32-bit words of the bit-parallel search), with names built to match and names that do not.
    const segment = fc.string({ unit: fc.constantFrom('a', 'b', '?'), minLength: 0, maxLength: 45 });
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 20 }), fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 150 }), (segments, filler, other) => {
        const pattern = segments.join('*');
        const built = segments.map((text) => text.replace(/\?/g, filler[0] ?? 'b')).join(filler);
        assert.equal(new UserGlob(pattern).matches(built), true, `${pattern} on ${built}`);
        assert.equal(new UserGlob(pattern).matches(other), referenceGlob(pattern).test(other), `${pattern} on ${other}`);
      }),
      { numRuns: 3000 },
    );
    for (const [pattern, name, expected] of [
      ['ci-*', 'ci-deploy', true], ['ci-*', 'ci-', true], ['ci-*', 'deploy-ci', false], ['*-ci', 'deploy-ci', true], ['a?c', 'abc', true],
      ['a?c', 'ac', false], ['*a*a*', 'aa', true], ['*a*a*', 'a', false], ['a*b*a', 'aba', true], ['a*b*a', 'ab', false], ['svc.*', 'svcx', false],
    ] as const) {
      assert.equal(new UserGlob(pattern).matches(name), expected, `${pattern} on ${name}`);
    }
  });

  it('finish a pattern of 22 stars and one letter at once, with work that grows linearly', () => {
    // The RegExp version: 10, 14, 18 stars took 0.4, 2.1 and 26.8 s on one name; 22 would take minutes.
    const name = 'a'.repeat(40);
    const meter: MatchMeter = { steps: 0 };
    assert.equal(new UserGlob(`${'*'.repeat(22)}b`).matches(name, meter), false);
    assert.equal(new UserGlob(`${'*'.repeat(22)}a`).matches(name), true);
    assert.ok(meter.steps < 100, `${meter.steps} steps`);
    const steps = (pattern: string, subject: string) => {
      const counted: MatchMeter = { steps: 0 };
      new UserGlob(pattern).matches(subject, counted);
      return counted.steps;
    };
    // Doubling the stars, the wildcard segments or the name at most doubles the work (plus a constant).
    for (const stars of [10, 20, 40, 80]) {
      assert.ok(steps(`${'*'.repeat(stars * 2)}b`, name) <= 2 * steps(`${'*'.repeat(stars)}b`, name) + 4);
      assert.ok(steps(`${'*a'.repeat(stars * 2)}*b`, 'a'.repeat(400)) <= 2 * steps(`${'*a'.repeat(stars)}*b`, 'a'.repeat(400)) + 4);
    }
    for (const length of [1000, 5000, 20_000]) {
      for (const pattern of ['*a*a*a*b', '*?*?*?b*', '*aab*', `*${'a'.repeat(100)}b*`, `*${'a?'.repeat(50)}b*`]) {
        assert.ok(steps(pattern, 'a'.repeat(length * 2)) <= 2 * steps(pattern, 'a'.repeat(length)) + 8, `${pattern} at ${length}`);
      }
    }
    // A long segment that almost matches everywhere costs a few word operations per character, not its length.
    assert.ok(steps(`*${'a'.repeat(100)}b*`, 'a'.repeat(10_000)) < 10_000 * 4 + 300);
    // The whole run: the suppression is tried, matches nothing, and is reported unused.
    const result = applySuppressions([finding('user-mfa', name)], parseSuppressions(`- check: user-mfa\n  user: "${'*'.repeat(22)}b"\n  reason: r\n`, 's.yaml'), new Date('2024-01-01T00:00:00Z'));
    assert.deepEqual(result.map((f) => [f.check, Boolean(f.suppressed)]), [['user-mfa', false], ['suppression', false]]);
  });
});

describe('suppression matching at scale', () => {
  const entry = (check: string, user: string, line: number, key: 1 | 2 | null = null): Suppression => ({ check, user, key, reason: 'r', expires: null, file: 's.yaml', line });

  it('keeps file order: the first matching entry wins, exact or wildcard', () => {
    const entries = [entry('c', 'ci-*', 1, 2), entry('c', 'ci-deploy', 2), entry('c', 'ci-d*', 3), entry('d', '*', 4)];
    const { findings, used } = markSuppressed([finding('c', 'ci-deploy', 2), finding('c', 'ci-deploy', 1), finding('c', 'ci-other', 1), finding('d', 'x')], entries, new Date(0));
    assert.deepEqual(findings.map((f) => f.suppressed !== undefined), [true, true, false, true]);
    assert.deepEqual([...used].map((s) => s.line).sort(), [1, 2, 4]);
  });

  it('does not compare every finding with every entry (10,000 exact and 1,000 wildcard entries, 5,000 users)', () => {
    const entries: Suppression[] = [];
    for (let index = 0; index < 10_000; index++) entries.push(entry('user-mfa', `user-${index}`, index + 1));
    for (let index = 0; index < 1_000; index++) entries.push(entry('user-mfa', `team-${index}-*`, 10_001 + index));
    const findings = Array.from({ length: 5_000 }, (_, index) => finding('user-mfa', index % 2 ? `user-${index}` : `team-${index % 1_000}-svc`));
    const meter: MatchMeter = { steps: 0 };
    const { findings: marked } = markSuppressed(findings, entries, new Date(0), meter);
    assert.equal(marked.filter((f) => f.suppressed).length, 5_000);
    // Each team name meets only the patterns sharing its literal prefix ("team-4-" and "team-42-" for team-42-svc):
    // tens of comparisons per finding, where one-by-one matching would make millions.
    assert.ok(meter.steps < 5_000 * 60, `${meter.steps} comparison steps`);
  });

  it('stops trying wildcard patterns past its step budget, shows every finding unsuppressed and says so', () => {
    // 1,000 patterns that start with a star all meet every name: the index cannot narrow them down.
    const entries = Array.from({ length: 1_000 }, (_, index) => entry('user-mfa', `*${'a'.repeat(60)}b${index}*`, index + 1));
    const findings = Array.from({ length: 5_000 }, (_, index) => ({ ...finding('user-mfa', 'a'.repeat(64)), line: index + 2 }));
    const meter: MatchMeter = { steps: 0 };
    const { findings: marked } = markSuppressed(findings, entries, new Date(0), meter);
    // One finding's worth of patterns past the budget at most (each pattern: 64 characters of two words and a few steps).
    assert.ok(meter.steps <= SUPPRESSION_LIMITS.matchSteps + 1_000 * 140, `${meter.steps} steps`);
    assert.equal(marked.filter((f) => f.check === 'user-mfa' && !f.suppressed).length, 5_000);
    const warning = marked.filter((f) => f.check === 'suppression');
    assert.deepEqual(warning.map((f) => [f.status, f.file, f.line]), [['warn', 's.yaml', 1]]);
    assert.match(warning[0]!.message, /^wildcard suppressions were not tried on \d+ finding\(s\) of r\.csv: matching them took more than 10000000 steps/);
  });

  it('refuses files over its limits, located where the limit is crossed', () => {
    const item = (index: number, user = `u${index}`) => `  - check: c\n    user: "${user}"\n    reason: r\n`;
    const many = `suppressions:\n${Array.from({ length: SUPPRESSION_LIMITS.entries + 1 }, (_, index) => item(index)).join('')}`;
    assert.throws(() => parseSuppressions(many, 'many.yaml'), (error: unknown) => error instanceof SuppressionFileError && error.message === `many.yaml:${2 + 3 * SUPPRESSION_LIMITS.entries}:5: more than 10000 suppressions; suppress by pattern, or fix the findings`);
    const wild = `suppressions:\n${Array.from({ length: SUPPRESSION_LIMITS.wildcardEntries + 1 }, (_, index) => item(index, `u${index}*`)).join('')}`;
    assert.throws(() => parseSuppressions(wild, 'wild.yaml'), (error: unknown) => error instanceof SuppressionFileError && error.message.startsWith(`wild.yaml:${3 + 3 * SUPPRESSION_LIMITS.wildcardEntries}:11: more than 1000 suppressions with a wildcard user`));
    const big = `# ${'x'.repeat(100)}\n`.repeat(20_000);
    assert.throws(() => parseSuppressions(big, 'big.yaml'), (error: unknown) => error instanceof SuppressionFileError && /^big\.yaml:\d+:1: the file is 2060000 bytes, more than the 1048576/.test(error.message) && error.line === Math.ceil(1048576 / 103));
  });
});

