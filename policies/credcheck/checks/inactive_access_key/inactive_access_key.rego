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

# `key` is one of lib.access_keys; its values are read with lib.access_key_*(u, key.n), each column by its name (input
# projection: see lib.rego).
info contains result if {
	some u in input.users
	some key in lib.access_keys
	lib.access_key_active(u, key.n) == false
	age := lib.access_key_last_rotated_days(u, key.n)
	is_number(age)
	created := lib.access_key_last_rotated(u, key.n)
	result := lib.result(u, key.n, key.active, lib.join([
		"access key ", key.text, " is inactive but still exists; created ", lib.date(created), ", ",
		lib.relative_text(age, -1), used_text(u, key),
	]))
}

used_text(u, key) := lib.join([
	"; last used ",
	lib.date(lib.key_value(u, key.n, "last_used_date")),
	lib.usage_place(u, key.n),
]) if {
	is_number(lib.access_key_last_used_date_days(u, key.n))
} else := "; never used"
