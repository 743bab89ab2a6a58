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

deny contains result if {
	some u in lib.iam_users
	u.password_enabled == true
	count(lib.active_keys(u)) > 0
	field := lib.key_column(lib.active_keys(u)[0], "active")
	result := lib.result(u, null, field, lib.join(["user ", u.user, " has a console password and ", lib.active_keys_text(u)]))
}
