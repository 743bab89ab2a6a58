# METADATA
# title: Console passwords are changed within the threshold
# description: |
#   Fails for an IAM user (any row except the root row) with `password_enabled` true whose
#   `password_last_changed` is older than `passwordRotationDays` (age > N x 24 h), seed "Top 10"
#   check 7. A `password_last_changed` that is not a time never fails. Current NIST guidance
#   (SP 800-63B) and CIS no longer require periodic password changes when MFA is used; keep this
#   check for organisations whose policy does, or disable it.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
#     description: Account password policy (password expiration)
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html
#     description: Managing passwords for IAM users
# custom:
#   id: password-rotation
#   severity: low
#   enabled_by_default: true
#   parameters:
#     - name: passwordRotationDays
#       default: 90
#       description: "Days: a password changed longer ago than this fails (age > N x 24 h)."
#   remediation: |
#     Require a new password at next sign-in, or enforce expiry account-wide:
#       aws iam update-login-profile --user-name <user> --password-reset-required
#       aws iam update-account-password-policy --max-password-age 90 --minimum-password-length 14
#   frameworks: {}
#   peers: {}
package credcheck.checks.password_rotation

import data.credcheck.lib

# The row's own conditions first and the root test (lib.is_iam_user, two lookups) last: under wasm every row lookup
# costs, so the root test is only made for the rows that would produce a finding (see lib.is_iam_user).
deny contains result if {
	some u in input.users
	u.password_enabled == true
	age := u.password_last_changed_days
	is_number(age)
	age > threshold
	lib.is_iam_user(u)
	result := lib.result(u, null, "password_last_changed", lib.join([
		"user ", u.user, "'s console password was last changed ", lib.date(u.password_last_changed), ", ",
		lib.relative_text(age, threshold), " (threshold: older than ", threshold_text, ")",
	]))
}

# Complete rules, not expressions in the rule body: opa-wasm memoises rules once per evaluation but evaluates a
# function call (lib.param, lib.day_count) again for every user.
threshold := lib.param("passwordRotationDays")

threshold_text := lib.day_count(threshold)
