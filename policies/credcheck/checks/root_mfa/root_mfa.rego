# METADATA
# title: Root user has MFA enabled
# description: |
#   Fails when the root row's `mfa_active` is false. When `mfa_active` is not a boolean (the
#   column is missing or holds something else) the check cannot decide and reports `skip` instead
#   of failing. The root row's `password_enabled` (`not_supported`) is never consulted: a root user
#   always has, or can recover, a password.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html
#     description: MFA for the root user
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-9
#     description: Security Hub IAM.9
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark
# custom:
#   id: root-mfa
#   severity: critical
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Sign in as the root user, open "Security credentials" > "Multi-factor authentication (MFA)"
#     and assign a device (a hardware or passkey/FIDO security key is preferred). A virtual device can
#     also be created from the CLI and then enabled in the console as root:
#       aws iam create-virtual-mfa-device --virtual-mfa-device-name root-account-mfa-device \
#         --outfile qr.png --bootstrap-method QRCodePNG
#     Verify afterwards:
#       aws iam get-account-summary --query 'SummaryMap.AccountMFAEnabled'
#   frameworks:
#     cis-1.2: "1.13"
#     cis-1.3: "1.5"
#     cis-1.4: "1.5"
#     cis-1.5: "1.5"
#     cis-2.0: "1.5"
#     cis-3.0: "1.5"
#     cis-4.0: "1.5"
#     cis-5.0: "1.4"
#     cis-6.0: "2.4"
#     cis-7.0: "2.5"
#     securityhub: IAM.9
#     aws-config: root-account-mfa-enabled
#   peers:
#     prowler: iam_root_mfa_enabled
#     steampipe: iam_root_user_mfa_enabled
#     cloudsploit: rootMfaEnabled
package credcheck.checks.root_mfa

import data.credcheck.lib

deny contains result if {
	some u in input.users
	lib.is_root(u)
	u.mfa_active == false
	result := lib.result(u, null, "mfa_active", lib.join([
		"root user has no MFA device (mfa_active is false)",
		last_sign_in(u),
	]))
}

skip contains result if {
	some u in input.users
	lib.is_root(u)
	not is_boolean(object.get(u, "mfa_active", null))
	result := lib.result(u, null, "mfa_active", lib.join([
		"cannot decide: the root row's mfa_active is ",
		shown_raw(u),
		", not true or false",
	]))
}

last_sign_in(u) := lib.join([
	"; root password last used ",
	lib.date(u.password_last_used),
	" (",
	lib.relative_text(u.password_last_used_days, -1),
	")",
]) if {
	lib.is_time(u, "password_last_used")
} else := ""

shown_raw(u) := lib.join(["\"", lib.raw(u, "mfa_active"), "\""]) if {
	lib.raw(u, "mfa_active") != ""
} else := "missing or empty"
