# METADATA
# title: Console passwords unused for the threshold are removed
# description: |
#   For an IAM user (any row except the root row) with `password_enabled` true: the reference time
#   is `password_last_used` or, when that is not a time (`no_information`: never used, or not since
#   2014-10-20), `password_last_changed`. Fails when the reference is `unusedCredentialDays` days or
#   more old (age >= N x 24 h). The fallback follows the CIS audit and gives new passwords a natural
#   grace period. When neither cell is a time nothing is reported: a missing time never counts as old.
#   The root row is excluded (CIS audit; root use is root-recent-use).
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html
#     description: Finding unused credentials
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-22
#     description: Security Hub IAM.22 (45 days); IAM.8 is the 90-day variant
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark (90 days in v1.2 and v1.3, 45 days from v1.4)
# custom:
#   id: unused-password
#   severity: medium
#   enabled_by_default: true
#   parameters:
#     - name: unusedCredentialDays
#       default: 45
#       description: "Days: a credential unused this long or longer fails (age >= N x 24 h);
#         90 for CIS v1.2/v1.3 and Security Hub IAM.8."
#   remediation: |
#     Confirm with the owner, then remove the console password (the user keeps other credentials):
#       aws iam get-login-profile --user-name <user>
#       aws iam delete-login-profile --user-name <user>
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
#     prowler: iam_user_console_access_unused
#     steampipe: iam_user_console_access_unused_45
#     cloudsploit: usersPasswordLastUsed
package credcheck.checks.unused_password

import data.credcheck.lib

# The row's own conditions first and the root test (lib.is_iam_user, two lookups) last: under wasm every row lookup
# costs, so the root test is only made for the rows that would produce a finding (see lib.is_iam_user).
deny contains result if {
	some u in input.users
	u.password_enabled == true
	column := reference_column(u)
	age := lib.days(u, column)
	age >= threshold
	lib.is_iam_user(u)
	result := lib.result(u, null, column, lib.join([
		"user ", u.user, "'s console password ", what_happened(u, column), ", ", lib.relative_text(age, threshold),
		" (threshold: unused for ", threshold_text, " or more)",
	]))
}

# Complete rules, not expressions in the rule body: opa-wasm memoises rules once per evaluation but evaluates a
# function call (lib.param, lib.day_count) again for every user.
threshold := lib.param("unusedCredentialDays")

threshold_text := lib.day_count(threshold)

reference_column(u) := "password_last_used" if {
	is_number(u.password_last_used_days)
} else := "password_last_changed" if {
	is_number(u.password_last_changed_days)
}

what_happened(u, "password_last_used") := lib.join(["was last used ", lib.date(u.password_last_used)])

what_happened(u, "password_last_changed") := lib.join([
	"was never used (password_last_used is ", lib.raw_or(u, "password_last_used", "not a time"),
	"); it was set ", lib.date(u.password_last_changed),
])
