-- The bundled checks that are on by default, as SQL over the raw credential report: the peer of `credcheck check` in
-- `npm run bench` (issue 18), and a correctness oracle in test/unit/bench/sqlBaseline.test.ts.
-- Run by bench/sqlBaseline.mjs through the sqlite3 shell, after `.import --csv <report> raw` (every column TEXT, named
-- by the header) and `.parameter set @now '<ISO 8601>'`; prints one JSON object per finding (`.mode json`).
-- Each SELECT follows its check's Rego in policies/credcheck/checks/<id>/ (same rows, same conditions, same
-- thresholds: the lib's default_params) and builds a message of the same kind, so the peer does the same work:
-- read the CSV, type the cells, compute ages, test every row, format and print every finding.
-- Semantics shared with the normaliser (src/core/report/normalizer.ts): a boolean cell is 'true' or 'false' in any case (else
-- unknown); a time cell is a time when SQLite can read it (else its age is NULL: 'N/A', 'no_information',
-- 'not_supported'); ages are (now - time) in days, fractional; the root row is `<root_account>`.

CREATE TEMP TABLE params AS
SELECT 90 AS root_recent_use_days, 45 AS unused_days, 90 AS key_rotation_days, 90 AS password_rotation_days,
  10 AS initial_key_setup_seconds, unixepoch(@now) AS now_s;

-- The typed rows, made once (a table, not a view: every check reads them).
CREATE TEMP TABLE u AS
SELECT
  raw.rowid + 1 AS line,
  raw."user" AS name,
  raw."user" = '<root_account>' AS is_root,
  CASE lower(raw.password_enabled) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS password_enabled,
  CASE lower(raw.mfa_active) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS mfa_active,
  raw.mfa_active AS mfa_active_raw,
  raw.user_creation_time,
  unixepoch(raw.user_creation_time) AS created_s,
  raw.password_last_used,
  (p.now_s - unixepoch(raw.password_last_used)) / 86400.0 AS password_last_used_days,
  raw.password_last_changed,
  (p.now_s - unixepoch(raw.password_last_changed)) / 86400.0 AS password_last_changed_days,
  CASE lower(raw.access_key_1_active) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS key_1_active,
  raw.access_key_1_last_rotated AS key_1_last_rotated,
  raw.access_key_1_last_used_date AS key_1_last_used_date,
  raw.access_key_1_last_used_region AS key_1_last_used_region,
  raw.access_key_1_last_used_service AS key_1_last_used_service,
  CASE lower(raw.access_key_2_active) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS key_2_active,
  raw.access_key_2_last_rotated AS key_2_last_rotated,
  raw.access_key_2_last_used_date AS key_2_last_used_date,
  raw.access_key_2_last_used_region AS key_2_last_used_region,
  raw.access_key_2_last_used_service AS key_2_last_used_service,
  CASE lower(raw.cert_1_active) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS cert_1_active,
  raw.cert_1_last_rotated,
  (p.now_s - unixepoch(raw.cert_1_last_rotated)) / 86400.0 AS cert_1_last_rotated_days,
  CASE lower(raw.cert_2_active) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS cert_2_active,
  raw.cert_2_last_rotated,
  (p.now_s - unixepoch(raw.cert_2_last_rotated)) / 86400.0 AS cert_2_last_rotated_days
FROM raw, params AS p;

-- One row per user and access key (1 and 2), the key's columns under common names; also made once.
CREATE TEMP TABLE k AS
SELECT line, name, is_root, password_enabled, user_creation_time, created_s, n, active, last_rotated,
  unixepoch(last_rotated) AS rotated_s, (p.now_s - unixepoch(last_rotated)) / 86400.0 AS last_rotated_days,
  last_used_date, (p.now_s - unixepoch(last_used_date)) / 86400.0 AS last_used_date_days,
  nullif(nullif(last_used_region, 'N/A'), '') AS region, nullif(nullif(last_used_service, 'N/A'), '') AS service
FROM params AS p, (
  SELECT line, name, is_root, password_enabled, user_creation_time, created_s, 1 AS n, key_1_active AS active,
    key_1_last_rotated AS last_rotated, key_1_last_used_date AS last_used_date, key_1_last_used_region AS last_used_region,
    key_1_last_used_service AS last_used_service FROM u
  UNION ALL
  SELECT line, name, is_root, password_enabled, user_creation_time, created_s, 2, key_2_active, key_2_last_rotated,
    key_2_last_used_date, key_2_last_used_region, key_2_last_used_service FROM u
);

CREATE TEMP VIEW findings AS
-- access-key-rotation: an IAM user's active key created more than accessKeyRotationDays ago.
SELECT 'access-key-rotation' AS "check", 'fail' AS status, name AS "user", n AS "key", 'access_key_' || n || '_last_rotated' AS field, line,
  printf('access key %d was created %s, %d days before the evaluation time, and not rotated since (threshold: older than %d days)',
    n, substr(last_rotated, 1, 10), CAST(last_rotated_days AS INTEGER), p.key_rotation_days) AS message
FROM k, params AS p WHERE active = 1 AND last_rotated_days > p.key_rotation_days AND NOT is_root
UNION ALL
-- active-signing-certificate: every row, the root row included, per active certificate.
SELECT 'active-signing-certificate', 'info', name, NULL, 'cert_1_active', line,
  printf('%s has an active signing certificate 1%s', iif(is_root, 'root user', 'user ' || name),
    iif(cert_1_last_rotated_days IS NULL, '', printf(', last rotated %s (%d days before the evaluation time)', substr(cert_1_last_rotated, 1, 10), CAST(cert_1_last_rotated_days AS INTEGER))))
FROM u WHERE cert_1_active = 1
UNION ALL
SELECT 'active-signing-certificate', 'info', name, NULL, 'cert_2_active', line,
  printf('%s has an active signing certificate 2%s', iif(is_root, 'root user', 'user ' || name),
    iif(cert_2_last_rotated_days IS NULL, '', printf(', last rotated %s (%d days before the evaluation time)', substr(cert_2_last_rotated, 1, 10), CAST(cert_2_last_rotated_days AS INTEGER))))
FROM u WHERE cert_2_active = 1
UNION ALL
-- console-and-access-keys: an IAM user with a password and at least one active key; the field is the first active key.
SELECT 'console-and-access-keys', 'fail', name, NULL, 'access_key_' || min(n) || '_active', line,
  'user ' || name || ' has a console password and ' || iif(count(*) = 2, 'active access keys 1 and 2', 'active access key ' || min(n))
FROM k WHERE password_enabled = 1 AND active = 1 AND NOT is_root GROUP BY line
UNION ALL
-- console-user-mfa: an IAM user with a password and no MFA.
SELECT 'console-user-mfa', 'fail', name, NULL, 'mfa_active', line,
  'user ' || name || ' has a console password but no MFA device' || iif(password_last_used_days IS NULL, ' (password never used)',
    printf(' (password last used %s, %d days before the evaluation time)', substr(password_last_used, 1, 10), CAST(password_last_used_days AS INTEGER)))
FROM u WHERE password_enabled = 1 AND mfa_active = 0 AND NOT is_root
UNION ALL
-- inactive-access-key: every row, per inactive key that still exists (its creation is a time).
SELECT 'inactive-access-key', 'info', name, n, 'access_key_' || n || '_active', line,
  printf('access key %d is inactive but still exists; created %s, %d days before the evaluation time%s', n, substr(last_rotated, 1, 10),
    CAST(last_rotated_days AS INTEGER), iif(last_used_date_days IS NULL, '; never used',
      '; last used ' || substr(last_used_date, 1, 10) || coalesce(' in ' || region, '') || coalesce(' (' || service || ')', '')))
FROM k WHERE active = 0 AND last_rotated_days IS NOT NULL
UNION ALL
-- initial-access-key: an IAM user with a password and an active, never-used key: fail when the key was created within
-- initialKeySetupSeconds of the user (both times known), else warn.
SELECT 'initial-access-key', iif(within, 'fail', 'warn'), name, n, iif(within, 'access_key_' || n || '_last_rotated', 'access_key_' || n || '_last_used_date'), line,
  iif(within, printf('access key %d was created %d s after the user (%s) and never used, and user %s has a console password (threshold: within %d s)',
      n, gap_s, substr(user_creation_time, 1, 10), name, initial_key_setup_seconds),
    printf('access key %d was never used%s, and user %s has a console password', n,
      iif(gap_s IS NULL, '; its creation cannot be compared with the user''s (a time is missing)', printf('; created %s, %d s after the user', substr(last_rotated, 1, 10), gap_s)), name))
FROM (
  SELECT k.*, p.initial_key_setup_seconds, rotated_s - created_s AS gap_s,
    coalesce(abs(rotated_s - created_s) <= p.initial_key_setup_seconds, 0) AS within
  FROM k, params AS p WHERE password_enabled = 1 AND active = 1 AND last_used_date_days IS NULL AND NOT is_root
)
UNION ALL
-- password-rotation: an IAM user's password changed more than passwordRotationDays ago.
SELECT 'password-rotation', 'fail', name, NULL, 'password_last_changed', line,
  printf('user %s''s console password was last changed %s, %d days before the evaluation time (threshold: older than %d days)',
    name, substr(password_last_changed, 1, 10), CAST(password_last_changed_days AS INTEGER), p.password_rotation_days)
FROM u, params AS p WHERE password_enabled = 1 AND password_last_changed_days > p.password_rotation_days AND NOT is_root
UNION ALL
-- root-access-key: an active root key.
SELECT 'root-access-key', 'fail', name, n, 'access_key_' || n || '_active', line,
  printf('root user has an active access key %d%s%s', n,
    iif(last_rotated_days IS NULL, '', printf(', created %s (%d days before the evaluation time)', substr(last_rotated, 1, 10), CAST(last_rotated_days AS INTEGER))),
    iif(last_used_date_days IS NULL, ', never used', ', last used ' || substr(last_used_date, 1, 10) || coalesce(' in ' || region, '') || coalesce(' (' || service || ')', '')))
FROM k WHERE is_root AND active = 1
UNION ALL
-- root-hardware-mfa: a CSV alone has no MFA device list, so the check skips on the root row.
SELECT 'root-hardware-mfa', 'skip', name, NULL, 'mfa_active', line,
  'MFA device data not available: fetch with iam:ListVirtualMFADevices permission to decide whether root''s MFA device is virtual or hardware'
FROM u WHERE is_root
UNION ALL
-- root-mfa: root without MFA fails; a root mfa_active that is not a boolean skips.
SELECT 'root-mfa', iif(mfa_active = 0, 'fail', 'skip'), name, NULL, 'mfa_active', line,
  iif(mfa_active = 0, 'root user has no MFA device (mfa_active is false)' || iif(password_last_used_days IS NULL, '',
      printf('; root password last used %s (%d days before the evaluation time)', substr(password_last_used, 1, 10), CAST(password_last_used_days AS INTEGER))),
    'cannot decide: the root row''s mfa_active is ' || iif(coalesce(mfa_active_raw, '') = '', 'missing or empty', '"' || mfa_active_raw || '"') || ', not true or false')
FROM u WHERE is_root AND (mfa_active = 0 OR mfa_active IS NULL)
UNION ALL
-- root-recent-use: the newest use of the root password or keys, when within rootRecentUseDays (ties: password, key 1, key 2).
SELECT 'root-recent-use', 'fail', name, used_key, used_column, line,
  printf('root user %s %s, %d days before the evaluation time (threshold: used within %d days)',
    iif(used_key IS NULL, 'signed in with the password on', 'used access key ' || used_key || ' on'), substr(used_at, 1, 10), CAST(age AS INTEGER), root_recent_use_days)
FROM (
  SELECT uses.*, p.root_recent_use_days, row_number() OVER (PARTITION BY uses.line ORDER BY uses.age, uses.rank) AS newest
  FROM params AS p, (
    SELECT line, name, NULL AS used_key, 'password_last_used' AS used_column, password_last_used AS used_at, password_last_used_days AS age, 0 AS rank
    FROM u WHERE is_root AND password_last_used_days IS NOT NULL
    UNION ALL
    SELECT line, name, n, 'access_key_' || n || '_last_used_date', last_used_date, last_used_date_days, n
    FROM k WHERE is_root AND last_used_date_days IS NOT NULL
  ) AS uses
)
WHERE newest = 1 AND age <= root_recent_use_days
UNION ALL
-- two-active-keys: an IAM user with both keys active.
SELECT 'two-active-keys', 'fail', name, NULL, 'access_key_2_active', line,
  'user ' || name || ' has two active access keys (' || group_concat('key ' || n || ' ' || iif(last_rotated_days IS NULL, '', 'created ' || substr(last_rotated, 1, 10) || ', ') ||
    iif(last_used_date_days IS NULL, 'never used', 'last used ' || substr(last_used_date, 1, 10)), ', ') || ')'
FROM k WHERE active = 1 AND NOT is_root GROUP BY line HAVING count(*) = 2
UNION ALL
-- unused-access-key: an IAM user's active key whose last use (else creation) is unusedCredentialDays or more ago.
SELECT 'unused-access-key', 'fail', name, n, iif(last_used_date_days IS NULL, 'access_key_' || n || '_last_rotated', 'access_key_' || n || '_last_used_date'), line,
  printf('access key %d %s, %d days before the evaluation time (threshold: unused for %d days or more)', n,
    iif(last_used_date_days IS NULL, 'was never used; created ' || substr(last_rotated, 1, 10),
      'last used ' || substr(last_used_date, 1, 10) || coalesce(' in ' || region, '') || coalesce(' (' || service || ')', '')),
    CAST(coalesce(last_used_date_days, last_rotated_days) AS INTEGER), p.unused_days)
FROM k, params AS p WHERE active = 1 AND coalesce(last_used_date_days, last_rotated_days) >= p.unused_days AND NOT is_root
UNION ALL
-- unused-password: an IAM user's password whose last use (else last change) is unusedCredentialDays or more ago.
SELECT 'unused-password', 'fail', name, NULL, iif(password_last_used_days IS NULL, 'password_last_changed', 'password_last_used'), line,
  printf('user %s''s console password %s, %d days before the evaluation time (threshold: unused for %d days or more)', name,
    iif(password_last_used_days IS NULL, 'was never used; it was set ' || substr(password_last_changed, 1, 10), 'was last used ' || substr(password_last_used, 1, 10)),
    CAST(coalesce(password_last_used_days, password_last_changed_days) AS INTEGER), p.unused_days)
FROM u, params AS p WHERE password_enabled = 1 AND coalesce(password_last_used_days, password_last_changed_days) >= p.unused_days AND NOT is_root;

SELECT * FROM findings ORDER BY line, "check", "key";
