# METADATA
# title: Root user has no active access keys
# description: |
#   The root user has unrestricted access to the account and its access keys cannot be limited by
#   IAM policies. Fails for each of the root row's access keys that is active
#   (`access_key_1_active` / `access_key_2_active` true). The root row's `password_enabled`
#   (`not_supported`) is never consulted, unlike peers that skip roots "without credentials".
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html
#     description: Deleting access keys for the root user
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-4
#     description: Security Hub IAM.4
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark
# custom:
#   id: root-access-key
#   severity: critical
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Sign in as the root user, open "Security credentials", and delete the root access keys
#     (AWS CLI calls made with the root credentials themselves):
#       aws iam list-access-keys
#       aws iam delete-access-key --access-key-id <AKIA...>
#     With AWS Organizations centralized root access, a management account can delete them:
#       aws sts assume-root --target-principal <account-id> \
#         --task-policy-arn arn=arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials
#   frameworks:
#     cis-1.2: "1.12"
#     cis-1.3: "1.4"
#     cis-1.4: "1.4"
#     cis-1.5: "1.4"
#     cis-2.0: "1.4"
#     cis-3.0: "1.4"
#     cis-4.0: "1.4"
#     cis-5.0: "1.3"
#     cis-6.0: "2.3"
#     cis-7.0: "2.4"
#     securityhub: IAM.4
#     aws-config: iam-root-access-key-check
#   peers:
#     prowler: iam_no_root_access_key
#     steampipe: iam_root_user_no_access_keys
#     cloudsploit: rootAccessKeys
package credcheck.checks.root_access_key

import data.credcheck.lib

deny contains result if {
	some u in input.users
	lib.is_root(u)
	some n in lib.key_numbers
	lib.key_active(u, n)
	result := lib.result(u, n, lib.key_column(n, "active"), lib.join([
		"root user has an active access key ",
		format_int(n, 10),
		created_text(u, n),
		used_text(u, n),
	]))
}

created_text(u, n) := lib.join([", created ", lib.date(t), " (", lib.relative_text(d, -1), ")"]) if {
	t := lib.key_value(u, n, "last_rotated")
	d := lib.days(u, lib.key_column(n, "last_rotated"))
	is_number(d)
} else := ""

used_text(u, n) := lib.join([", last used ", lib.date(t), lib.usage_place(u, n)]) if {
	lib.is_time(u, lib.key_column(n, "last_used_date"))
	t := lib.key_value(u, n, "last_used_date")
} else := ", never used"
