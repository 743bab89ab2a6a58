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
	some n in [1, 2]
	column := concat("", ["cert_", format_int(n, 10), "_active"])
	object.get(u, column, null) == true
	result := lib.result(u, null, column, lib.join([owner(u), " has an active signing certificate ", format_int(n, 10), rotated_text(u, n)]))
}

owner(u) := "root user" if {
	lib.is_root(u)
} else := lib.join(["user ", u.user])

rotated_text(u, n) := lib.join([", last rotated ", lib.date(u[column]), " (", lib.relative_text(lib.days(u, column), -1), ")"]) if {
	column := concat("", ["cert_", format_int(n, 10), "_last_rotated"])
	lib.is_time(u, column)
} else := ""
