# METADATA
# title: Active access keys unused for the threshold are removed
# description: |
#   For each active access key (`access_key_N_active` true) of an IAM user (any row except the root
#   row), key 1 and key 2 independently: the reference time is `access_key_N_last_used_date` or,
#   when that is not a time (`N/A`: never used, or not since 2015-04-22), `access_key_N_last_rotated`
#   (the key's creation). Fails when the reference is `unusedCredentialDays` days or more old
#   (age >= N x 24 h); one finding per key. Never-used keys therefore fail once they are old enough
#   (the CIS audit), unlike Prowler and cloudsploit, which pass them. Inactive keys never fail.
#   Root keys are reported by root-access-key.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html
#     description: Finding unused credentials
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-22
#     description: Security Hub IAM.22 (45 days); IAM.8 is the 90-day variant
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark (90 days in v1.2 and v1.3, 45 days from v1.4)
# custom:
#   id: unused-access-key
#   severity: medium
#   enabled_by_default: true
#   parameters:
#     - name: unusedCredentialDays
#       default: 45
#       description: "Days: a credential unused this long or longer fails (age >= N x 24 h);
#         90 for CIS v1.2/v1.3 and Security Hub IAM.8."
#   remediation: |
#     Confirm the key is not needed, deactivate it, wait, then delete it:
#       aws iam list-access-keys --user-name <user>
#       aws iam get-access-key-last-used --access-key-id <AKIA...>
#       aws iam update-access-key --user-name <user> --access-key-id <AKIA...> --status Inactive
#       aws iam delete-access-key --user-name <user> --access-key-id <AKIA...>
#     For CIS v1.2/v1.3 or Security Hub IAM.8 semantics set unusedCredentialDays to 90.
#   frameworks:
#     cis-1.2: "1.3"
#     cis-1.3: "1.12"
#     cis-1.4: "1.12"
#     cis-1.5: "1.12"
#     cis-2.0: "1.12"
#     cis-3.0: "1.12"
#     cis-4.0: "1.12"
#     cis-5.0: "1.11"
#     cis-6.0: "2.11"
#     cis-7.0: "2.11"
#     securityhub: IAM.22
#     aws-config: iam-user-unused-credentials-check
#   peers:
#     prowler: iam_user_accesskey_unused
#     steampipe: iam_user_access_key_unused_45
#     cloudsploit: accessKeysLastUsed
package credcheck.checks.unused_access_key

import data.credcheck.lib

# `key` is one of lib.access_keys; its values are read with lib.access_key_*(u, key.n), each column by its name (input
# projection: see lib.rego).
# The row's own conditions first and the root test (lib.is_iam_user, two lookups) last: under wasm every row lookup
# costs, so the root test is only made for the rows that would produce a finding (see lib.is_iam_user).
deny contains result if {
	some u in input.users
	some key in lib.access_keys
	lib.access_key_active(u, key.n) == true
	column := reference_column(u, key)
	age := lib.days(u, column)
	age >= threshold
	lib.is_iam_user(u)
	result := lib.result(u, key.n, column, lib.join([
		"access key ", key.text, " ", what_happened(u, key, column), ", ", lib.relative_text(age, threshold),
		" (threshold: unused for ", threshold_text, " or more)",
	]))
}

# Complete rules, not expressions in the rule body: opa-wasm memoises rules once per evaluation but evaluates a
# function call (lib.param, lib.day_count) again for every user and key.
threshold := lib.param("unusedCredentialDays")

threshold_text := lib.day_count(threshold)

# The name of the column the key's age is counted from: its last use, else its creation.
reference_column(u, key) := key.last_used_date if {
	is_number(lib.access_key_last_used_date_days(u, key.n))
} else := key.last_rotated if {
	is_number(lib.access_key_last_rotated_days(u, key.n))
}

what_happened(u, key, column) := lib.join([
	"last used ",
	lib.date(lib.time_text(u, column)),
	lib.usage_place(u, key.n),
]) if {
	column == key.last_used_date
} else := lib.join(["was never used; created ", lib.date(lib.time_text(u, column))])
