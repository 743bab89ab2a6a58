# METADATA
# title: Active X.509 signing certificates
# description: |
#   Status `info`. For every row, the root row included: reports `cert_1_active` or `cert_2_active`
#   true, with the certificate's `cert_N_last_rotated` date. Signing certificates are only used by a
#   few legacy SOAP APIs; an active one is usually forgotten. One result per certificate.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html
#     description: IAM certificates
#   - ref: https://docs.aws.amazon.com/cli/latest/reference/iam/list-signing-certificates.html
#     description: aws iam list-signing-certificates
# custom:
#   id: active-signing-certificate
#   severity: low
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Check whether anything still signs requests with it, then deactivate and delete it:
#       aws iam list-signing-certificates --user-name <user>
#       aws iam update-signing-certificate --user-name <user> --certificate-id <id> --status Inactive
#       aws iam delete-signing-certificate --user-name <user> --certificate-id <id>
#     For the root user, omit --user-name and run the commands with root credentials.
#   frameworks: {}
#   peers:
#     cloudsploit: rootSigningCertificate
package credcheck.checks.active_signing_certificate

import data.credcheck.lib

info contains result if {
	some u in input.users
	some cert in certificates
	cert_active(u, cert.n) == true
	result := lib.result(u, null, cert.active, lib.join([
		owner(u),
		" has an active signing certificate ",
		cert.text,
		rotated_text(u, cert),
	]))
}

# The two certificates with their column names spelled out (for the finding's field); their values are read with
# cert_*(u, n), each column by its name (input projection: see lib.rego).
certificates := [
	{
		"n": 1,
		"text": "1",
		"active": "cert_1_active",
		"last_rotated": "cert_1_last_rotated",
		"last_rotated_days": "cert_1_last_rotated_days",
	},
	{
		"n": 2,
		"text": "2",
		"active": "cert_2_active",
		"last_rotated": "cert_2_last_rotated",
		"last_rotated_days": "cert_2_last_rotated_days",
	},
]

# cert_<suffix>(u, n) is the row's `cert_<n>_<suffix>`, each read by its name (see "Input projection" in lib.rego).
cert_active(u, 1) := u.cert_1_active

cert_active(u, 2) := u.cert_2_active

cert_last_rotated(u, 1) := u.cert_1_last_rotated

cert_last_rotated(u, 2) := u.cert_2_last_rotated

cert_last_rotated_days(u, 1) := u.cert_1_last_rotated_days

cert_last_rotated_days(u, 2) := u.cert_2_last_rotated_days

owner(u) := "root user" if {
	lib.is_root(u)
} else := lib.join(["user ", u.user])

rotated_text(u, cert) := lib.join([
	", last rotated ",
	lib.date(cert_last_rotated(u, cert.n)),
	" (",
	lib.relative_text(age, -1),
	")",
]) if {
	age := cert_last_rotated_days(u, cert.n)
	is_number(age)
} else := ""
