# METADATA
# title: Inactive access keys are deleted
# description: |
#   Status `info`. For every row, the root row included, and for key 1 and key 2 independently:
#   reports a key whose `access_key_N_active` is false but which still exists, i.e. whose
#   `access_key_N_last_rotated` is a time (AWS keeps the date of a deactivated key; a deleted key
#   shows `N/A`). An inactive key can be reactivated by anyone allowed to call
#   iam:UpdateAccessKey; deleting it removes that path.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#Using_CreateAccessKey
#     description: Managing access keys (deactivate and delete)
# custom:
#   id: inactive-access-key
#   severity: low
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Once nothing broke while the key was inactive, delete it:
#       aws iam list-access-keys --user-name <user>
#       aws iam delete-access-key --user-name <user> --access-key-id <AKIA...>
#     For a root key, sign in as root and delete it under "Security credentials".
#   frameworks: {}
#   peers: {}
package credcheck.checks.inactive_access_key

import data.credcheck.lib

info contains result if {
	some u in input.users
	some n in lib.key_numbers
	lib.key_value(u, n, "active") == false
	column := lib.key_column(n, "last_rotated")
	lib.is_time(u, column)
	result := lib.result(u, n, lib.key_column(n, "active"), lib.join([
		"access key ", format_int(n, 10), " is inactive but still exists; created ", lib.date(u[column]), ", ",
		lib.relative_text(lib.days(u, column), -1), used_text(u, n),
	]))
}

used_text(u, n) := lib.join(["; last used ", lib.date(lib.key_value(u, n, "last_used_date")), lib.usage_place(u, n)]) if {
	lib.is_time(u, lib.key_column(n, "last_used_date"))
} else := "; never used"
