# METADATA
# title: Active access keys are rotated within the threshold
# description: |
#   For each active access key (`access_key_N_active` true) of an IAM user (any row except the root
#   row), key 1 and key 2 independently: fails when `access_key_N_last_rotated` (the key's creation)
#   is older than `accessKeyRotationDays` (age > N x 24 h); one finding per key. Inactive keys never
#   fail (Prowler #1929, Steampipe #909); a key whose `last_rotated` is not a time never fails.
#   Root keys are reported by root-access-key.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
#     description: Rotating access keys
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-3
#     description: Security Hub IAM.3
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/access-keys-rotated.html
#     description: AWS Config access-keys-rotated
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark
# custom:
#   id: access-key-rotation
#   severity: medium
#   enabled_by_default: true
#   parameters:
#     - name: accessKeyRotationDays
#       default: 90
#       description: "Days: an active key created longer ago than this fails (age > N x 24 h)."
#   remediation: |
#     Create a second key, move every client to it, then deactivate and delete the old key:
#       aws iam create-access-key --user-name <user>
#       aws iam update-access-key --user-name <user> --access-key-id <OLD_AKIA...> --status Inactive
#       aws iam delete-access-key --user-name <user> --access-key-id <OLD_AKIA...>
#     Better: replace long-lived keys with IAM roles or IAM Identity Center.
#   frameworks:
#     cis-1.2: "1.4"
#     cis-1.3: "1.14"
#     cis-1.4: "1.14"
#     cis-1.5: "1.14"
#     cis-2.0: "1.14"
#     cis-3.0: "1.14"
#     cis-4.0: "1.14"
#     cis-5.0: "1.13"
#     cis-6.0: "2.13"
#     cis-7.0: "2.12"
#     securityhub: IAM.3
#     aws-config: access-keys-rotated
#   peers:
#     prowler: iam_rotate_access_key_90_days
#     steampipe: iam_user_access_key_age_90
#     cloudsploit: accessKeysRotated
package credcheck.checks.access_key_rotation

import data.credcheck.lib

# `key` is one of lib.access_keys; its values are read with lib.access_key_*(u, key.n), each column by its name (input
# projection: see lib.rego).
# The row's own conditions first and the root test (lib.is_iam_user, two lookups) last: under wasm every row lookup
# costs, so the root test is only made for the rows that would produce a finding (see lib.is_iam_user).
deny contains result if {
	some u in input.users
	some key in lib.access_keys
	lib.access_key_active(u, key.n) == true
	age := lib.access_key_last_rotated_days(u, key.n)
	is_number(age)
	age > threshold
	lib.is_iam_user(u)
	created := lib.access_key_last_rotated(u, key.n)
	result := lib.result(u, key.n, key.last_rotated, lib.join([
		"access key ", key.text, " was created ", lib.date(created), ", ", lib.relative_text(age, threshold),
		", and not rotated since (threshold: older than ", threshold_text, ")",
	]))
}

# Complete rules, not expressions in the rule body: opa-wasm memoises rules once per evaluation but evaluates a
# function call (lib.param, lib.day_count) again for every user and key.
threshold := lib.param("accessKeyRotationDays")

threshold_text := lib.day_count(threshold)
