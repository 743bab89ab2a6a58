# METADATA
# title: IAM users have at most one active access key
# description: |
#   Fails for an IAM user (any row except the root row) with both `access_key_1_active` and
#   `access_key_2_active` true. Two active keys are normal for a few hours during a rotation; a
#   lasting second key doubles the exposure. Root keys are root-access-key's business.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
#     description: Rotating access keys
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark
# custom:
#   id: two-active-keys
#   severity: medium
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Find which key is still used, move every client to it, then deactivate and delete the other:
#       aws iam list-access-keys --user-name <user>
#       aws iam get-access-key-last-used --access-key-id <AKIA...>
#       aws iam update-access-key --user-name <user> --access-key-id <AKIA...> --status Inactive
#       aws iam delete-access-key --user-name <user> --access-key-id <AKIA...>
#   frameworks:
#     cis-1.3: "1.13"
#     cis-1.4: "1.13"
#     cis-1.5: "1.13"
#     cis-2.0: "1.13"
#     cis-3.0: "1.13"
#     cis-4.0: "1.13"
#     cis-5.0: "1.12"
#     cis-6.0: "2.12"
#   peers:
#     prowler: iam_user_two_active_access_key
#     steampipe: iam_user_one_active_key
#     cloudsploit: accessKeysExtra
package credcheck.checks.two_active_keys

import data.credcheck.lib

# Literal column names, the usually rarer condition (key 2 active) first and the root test (lib.is_iam_user, two
# lookups) last: under wasm every row lookup costs, so most rows are rejected after one (see lib.is_iam_user).
deny contains result if {
	some u in input.users
	u.access_key_2_active == true
	u.access_key_1_active == true
	lib.is_iam_user(u)
	result := lib.result(u, null, "access_key_2_active", lib.join([
		"user ",
		u.user,
		" has two active access keys (key 1 ",
		lib.key_history_text(u, 1),
		", key 2 ",
		lib.key_history_text(u, 2),
		")",
	]))
}
