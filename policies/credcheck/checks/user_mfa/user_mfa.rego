# METADATA
# title: All IAM users have MFA
# description: |
#   Off by default (Security Hub IAM.19). Fails for an IAM user (any row except the root row) whose
#   `mfa_active` is false, whether or not the user has a console password. MFA only protects console
#   sign-in and API calls made with session credentials that require it, so for users with access
#   keys only this is a policy choice; console-user-mfa covers the CIS requirement.
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-19
#     description: Security Hub IAM.19
#   - ref: https://docs.aws.amazon.com/config/latest/developerguide/iam-user-mfa-enabled.html
#     description: AWS Config iam-user-mfa-enabled
# custom:
#   id: user-mfa
#   severity: medium
#   enabled_by_default: false
#   parameters: []
#   remediation: |
#     Assign an MFA device to the user:
#       aws iam create-virtual-mfa-device --virtual-mfa-device-name <user> --outfile qr.png --bootstrap-method QRCodePNG
#       aws iam enable-mfa-device --user-name <user> --serial-number arn:aws:iam::<account-id>:mfa/<user> \
#         --authentication-code1 <code> --authentication-code2 <next-code>
#     For machine users, prefer IAM roles over long-lived access keys.
#   frameworks:
#     securityhub: IAM.19
#     aws-config: iam-user-mfa-enabled
#   peers:
#     steampipe: iam_user_mfa_enabled
package credcheck.checks.user_mfa

import data.credcheck.lib

# The row's own conditions first and the root test (lib.is_iam_user, two lookups) last: under wasm every row lookup
# costs, so the root test is only made for the rows that would produce a finding (see lib.is_iam_user).
deny contains result if {
	some u in input.users
	u.mfa_active == false
	lib.is_iam_user(u)
	result := lib.result(u, null, "mfa_active", lib.join([
		"user ",
		u.user,
		" has no MFA device (",
		password_text(u),
		", ",
		lib.active_keys_text(u),
		")",
	]))
}

password_text(u) := "console password enabled" if {
	u.password_enabled == true
} else := "no console password"
