# METADATA
# title: IAM users are either console users or API users
# description: |
#   Fails for an IAM user (any row except the root row) whose `password_enabled` is true and who has
#   at least one active access key (seed "Top 10" check 5). A person signing in to the console
#   should use temporary credentials (IAM Identity Center, `aws sso login`, roles) rather than
#   long-lived keys; a machine user needs no password. One finding per user.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-users-federation-idp
#     description: IAM best practices (temporary credentials)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
#     description: Getting credential reports
# custom:
#   id: console-and-access-keys
#   severity: low
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Decide whether the user is a person or a workload. For a person, delete the access keys and use
#     IAM Identity Center or roles; for a workload, remove the console password:
#       aws iam list-access-keys --user-name <user>
#       aws iam delete-access-key --user-name <user> --access-key-id <AKIA...>
#       aws iam delete-login-profile --user-name <user>
#   frameworks: {}
#   peers:
#     cloudsploit: usersPasswordAndKeys
package credcheck.checks.console_and_access_keys

import data.credcheck.lib

# The row's own conditions first and the root test (lib.is_iam_user, two lookups) last: under wasm every row lookup
# costs, so the root test is only made for the rows that would produce a finding (see lib.is_iam_user). active_keys is
# computed once: opa-wasm does not memoise function results.
deny contains result if {
	some u in input.users
	u.password_enabled == true
	keys := lib.active_keys(u)
	count(keys) > 0
	lib.is_iam_user(u)
	field := lib.key_columns[keys[0]].active
	result := lib.result(u, null, field, lib.join([
		"user ",
		u.user,
		" has a console password and ",
		lib.key_list_text(keys),
	]))
}
