# METADATA
# title: credcheck test helpers
# description: |
#   Builders for policy inputs in the shape the normaliser produces, used only by *_test.rego files.
#   Rows start from "a user with nothing" and each test states only the cells it is about, with the
#   `<column>_days` ages written out by hand (no time builtins, so tests are exact and deterministic).
package credcheck.lib.testing

# All test rows are evaluated at this instant. Dates in tests are chosen against it:
# 2024-03-01T00:00:00Z is exactly 92 days before, 2024-01-01T00:00:00Z exactly 152 days before.
evaluation_time := "2024-06-01T00:00:00Z"

# Every column of the current 22-column layout, as a user without password, MFA, keys or certificates.
blank_row := {
	"user": "",
	"arn": null,
	"account_id": "123456789012",
	"is_root": false,
	"line": 2,
	"raw": {},
	"user_creation_time": "2023-01-01T00:00:00Z",
	"user_creation_time_days": 517,
	"password_enabled": false,
	"password_last_used": null,
	"password_last_used_days": null,
	"password_last_used_status": "no_password",
	"password_last_changed": null,
	"password_last_changed_days": null,
	"password_next_rotation": null,
	"password_next_rotation_days": null,
	"mfa_active": false,
	"access_key_1_active": false,
	"access_key_1_last_rotated": null,
	"access_key_1_last_rotated_days": null,
	"access_key_1_last_used_date": null,
	"access_key_1_last_used_date_days": null,
	"access_key_1_last_used_region": null,
	"access_key_1_last_used_service": null,
	"access_key_1_status": "none",
	"access_key_1_last_used_status": "no_key",
	"access_key_2_active": false,
	"access_key_2_last_rotated": null,
	"access_key_2_last_rotated_days": null,
	"access_key_2_last_used_date": null,
	"access_key_2_last_used_date_days": null,
	"access_key_2_last_used_region": null,
	"access_key_2_last_used_service": null,
	"access_key_2_status": "none",
	"access_key_2_last_used_status": "no_key",
	"cert_1_active": false,
	"cert_1_last_rotated": null,
	"cert_1_last_rotated_days": null,
	"cert_2_active": false,
	"cert_2_last_rotated": null,
	"cert_2_last_rotated_days": null,
}

# An IAM user row named `name` with `fields` overriding the blank row.
user(name, fields) := object.union(
	object.union(blank_row, {"user": name, "arn": sprintf("arn:aws:iam::123456789012:user/%s", [name])}),
	fields,
)

# The root row as AWS writes it: password_enabled and password_last_changed are not_supported (null).
root(fields) := object.union(
	object.union(blank_row, {
		"user": "<root_account>",
		"arn": "arn:aws:iam::123456789012:root",
		"is_root": true,
		"password_enabled": null,
		"password_last_used_status": "never_used",
		"raw": {"password_enabled": "not_supported", "password_last_changed": "not_supported"},
	}),
	fields,
)

# A policy input holding `users`, with MFA device data unknown.
input_with(users) := {
	"evaluation_time": evaluation_time,
	"report": {
		"file": "credential-report.csv",
		"layout": "current",
		"columns": [],
		"generated_time": null,
		"account_id": "123456789012",
	},
	"mfa_devices": null,
	"users": users,
}

# The same, with MFA device data from ListVirtualMFADevices.
input_with_devices(users, devices) := object.union(input_with(users), {"mfa_devices": devices})

# One minute, in days: boundary tests use N - minute, N and N + minute.
minute := 1 / 1440

# One second, in days.
second := 1 / 86400
