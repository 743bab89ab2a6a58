# METADATA
# title: IAM users with a console password have MFA
# description: |
#   Fails for an IAM user (any row except the root row) whose `password_enabled` is true and whose
#   `mfa_active` is false. Users without a console password pass; unknown values (null) never fail.
#   The root row is excluded (its `password_enabled` is `not_supported`; root MFA is root-mfa).
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html
#     description: Assign a virtual MFA device
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-5
#     description: Security Hub IAM.5
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark
# custom:
#   id: console-user-mfa
#   severity: high
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Have the user register an MFA device (IAM console > Users > <user> > Security credentials >
#     Assign MFA device), or from the CLI for a virtual device:
#       aws iam create-virtual-mfa-device --virtual-mfa-device-name <user> --outfile qr.png --bootstrap-method QRCodePNG
#       aws iam enable-mfa-device --user-name <user> --serial-number arn:aws:iam::<account-id>:mfa/<user> \
#         --authentication-code1 <code> --authentication-code2 <next-code>
#     If the user does not need the console, remove the password instead:
#       aws iam delete-login-profile --user-name <user>
#   frameworks:
#     cis-1.2: "1.2"
#     cis-1.3: "1.10"
#     cis-1.4: "1.10"
#     cis-1.5: "1.10"
#     cis-2.0: "1.10"
#     cis-3.0: "1.10"
#     cis-4.0: "1.10"
#     cis-5.0: "1.9"
#     cis-6.0: "2.9"
#     cis-7.0: "2.10"
#     securityhub: IAM.5
#     aws-config: mfa-enabled-for-iam-console-access
#   peers:
#     prowler: iam_user_mfa_enabled_console_access
#     steampipe: iam_user_console_access_mfa_enabled
#     cloudsploit: usersMfaEnabled
package credcheck.checks.console_user_mfa

import data.credcheck.lib

# The row's own conditions first and the root test (lib.is_iam_user, two lookups) last: under wasm every row lookup
# costs, so the root test is only made for the rows that would produce a finding (see lib.is_iam_user).
deny contains result if {
	some u in input.users
	u.password_enabled == true
	u.mfa_active == false
	lib.is_iam_user(u)
	result := lib.result(u, null, "mfa_active", lib.join([
		"user ",
		u.user,
		" has a console password but no MFA device",
		last_sign_in(u),
	]))
}

last_sign_in(u) := lib.join([
	" (password last used ",
	lib.date(u.password_last_used),
	", ",
	lib.relative_text(u.password_last_used_days, -1),
	")",
]) if {
	lib.is_time(u, "password_last_used")
} else := " (password never used)" if {
	u.password_last_used_status == "never_used"
} else := ""
