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

# `key` is one of lib.access_keys, whose column names are spelled out: no concat per user and key under wasm.
info contains result if {
	some u in input.users
	some key in lib.access_keys
	u[key.active] == false
	age := u[key.last_rotated_days]
	is_number(age)
	result := lib.result(u, key.n, key.active, lib.join([
		"access key ", key.text, " is inactive but still exists; created ", lib.date(u[key.last_rotated]), ", ",
		lib.relative_text(age, -1), used_text(u, key),
	]))
}

used_text(u, key) := lib.join([
	"; last used ",
	lib.date(object.get(u, key.last_used_date, null)),
	lib.usage_place(u, key.n),
]) if {
	is_number(u[key.last_used_date_days])
} else := "; never used"
