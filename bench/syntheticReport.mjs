// Deterministic synthetic credential reports for the benchmarks: same seed, same bytes, on every machine.
// The mix follows what real accounts look like (see /work/shared/realworld): one root row, mostly programmatic users,
// console users with and without MFA, keys active / inactive / never used, a second key on some users, times written
// both as AWS did until 2024 (`+00:00`) and since (`Z`). No real names or account ids: everything is made up.

export const HEADER = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed', 'password_next_rotation',
  'mfa_active', 'access_key_1_active', 'access_key_1_last_rotated', 'access_key_1_last_used_date', 'access_key_1_last_used_region',
  'access_key_1_last_used_service', 'access_key_2_active', 'access_key_2_last_rotated', 'access_key_2_last_used_date',
  'access_key_2_last_used_region', 'access_key_2_last_used_service', 'cert_1_active', 'cert_1_last_rotated', 'cert_2_active',
  'cert_2_last_rotated',
];

/** The evaluation time every benchmark uses, so findings (and their count) do not depend on the day it runs. */
export const BENCH_NOW = '2025-06-01T00:00:00Z';
const NOW_MS = Date.parse(BENCH_NOW);
const DAY = 86_400_000;

/** mulberry32: a tiny seeded PRNG, good enough to vary test data and fully reproducible. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const SERVICES = ['s3', 'ec2', 'sts', 'iam', 'lambda', 'dynamodb', 'logs'];
const ROLES = ['svc', 'ci', 'deploy', 'dev', 'ops', 'data', 'backup', 'audit'];

/**
 * One credential report of `users` IAM users plus the root row, as CSV text. `seed` picks the content; `account` the
 * 12-digit account id (derived from the seed when absent).
 */
export function generateReport(users, seed, account) {
  const random = seededRandom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const chance = (p) => random() < p;
  // Half the times in the old `+00:00` form, half in the `Z` form AWS writes since 2024.
  const time = (ms) => {
    const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    return chance(0.5) ? iso.replace('Z', '+00:00') : iso;
  };
  const daysAgo = (min, max) => NOW_MS - (min + random() * (max - min)) * DAY;
  const accountId = account ?? String(100000000000 + (seed % 899999999999)).padStart(12, '0');
  const lines = [HEADER.join(',')];

  // Root: console only, MFA on in most accounts, an access key in a few (the finding CIS cares most about).
  const rootCreated = daysAgo(1500, 3000);
  const rootKey = chance(0.1);
  lines.push([
    '<root_account>', `arn:aws:iam::${accountId}:root`, time(rootCreated), 'not_supported',
    chance(0.7) ? time(daysAgo(1, 400)) : 'no_information', 'not_supported', 'not_supported', String(chance(0.85)),
    String(rootKey), rootKey ? time(daysAgo(200, 1200)) : 'N/A', 'N/A', 'N/A', 'N/A',
    'false', 'N/A', 'N/A', 'N/A', 'N/A', 'false', 'N/A', 'false', 'N/A',
  ].join(','));

  for (let i = 0; i < users; i++) {
    const name = `${pick(ROLES)}-${i.toString(36)}-${Math.floor(random() * 1e6).toString(36)}`;
    const created = daysAgo(5, 2500);
    const sinceCreated = (NOW_MS - created) / DAY;
    const after = (maxDaysAfterCreation = sinceCreated) => created + random() * Math.min(maxDaysAfterCreation, sinceCreated) * DAY;
    const row = [name, `arn:aws:iam::${accountId}:user/${name}`, time(created)];

    // About a third have a console password; of those, most have MFA; some never signed in.
    const console = chance(0.35);
    if (console) {
      const used = chance(0.8);
      row.push('true', used ? time(after()) : 'no_information', time(after()), 'N/A', String(chance(0.75)));
    } else {
      row.push('false', 'N/A', 'N/A', 'N/A', 'false');
    }

    // Keys: most users have key 1 (active or inactive, used or never used), fewer have key 2.
    for (const probability of [0.8, 0.2]) {
      if (!chance(probability)) {
        row.push('false', 'N/A', 'N/A', 'N/A', 'N/A');
        continue;
      }
      const active = chance(0.8);
      // Some keys created within seconds of the user: the "initial access key" finding.
      const rotated = chance(0.15) ? created + Math.floor(random() * 5000) : after();
      const used = chance(0.75);
      const usedAt = used ? rotated + random() * ((NOW_MS - rotated) / DAY) * DAY : 0;
      row.push(String(active), time(rotated), used ? time(usedAt) : 'N/A', used ? pick(REGIONS) : 'N/A', used ? pick(SERVICES) : 'N/A');
    }

    // Signing certificates are rare.
    const cert = chance(0.02);
    row.push(String(cert), cert ? time(after()) : 'N/A', 'false', 'N/A');
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}
