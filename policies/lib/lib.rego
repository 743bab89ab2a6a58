# METADATA
# title: credcheck shared library
# description: |
#   Parameters with their defaults, row selectors and message helpers shared by the bundled checks.
#   Policies get ages ready-made in the input (`<column>_days`), so nothing here needs a time builtin:
#   results depend only on the input and the evaluation time chosen by the caller.
package credcheck.lib

# Defaults of every parameter a bundled check reads. Override them with `data.params.<name>`
# (CLI `--param`, extension settings); a missing override falls back to the value here.
default_params := {
	"rootRecentUseDays": 90,
	"unusedCredentialDays": 45,
	"accessKeyRotationDays": 90,
	"passwordRotationDays": 90,
	"initialKeySetupSeconds": 10,
}

# param returns data.params[name] when set, else its default. Numbers given as strings
# (e.g. a hand-written data file) are accepted, because a silently ignored override is worse.
param(name) := to_number(data.params[name]) if {
	is_string(data.params[name])
} else := data.params[name] if {
	is_number(data.params[name])
} else := default_params[name]

root_user_name := "<root_account>"

# The root row is recognised by name and by the derived flag, so a hand-trimmed report without
# the derived field (or a fixture with a made-up ARN) is still handled the same way.
is_root(u) if u.user == root_user_name

is_root(u) if u.is_root == true

# "IAM user" in the check table means every row except the root row.
is_iam_user(u) if not is_root(u)

# Arrays, not sets: a set of rows would hash every ~65-field row object once per check (27% of evaluation time on
# 5,000 users, bench/run.mjs). Rows are distinct anyway (each has its own line).
iam_users := [u | some u in input.users; is_iam_user(u)]

root_rows := [u | some u in input.users; is_root(u)]

# The two access key numbers; both are always examined, whatever the state of the other key.
key_numbers := [1, 2]

# concat, not sprintf: sprintf is a JavaScript import under opa-wasm, and these run hundreds of thousands of times.
# Messages are built the same way (join, number_text): each sprintf call leaves wasm and crosses JSON both ways.
key_column(1, suffix) := concat("", ["access_key_1_", suffix])

key_column(2, suffix) := concat("", ["access_key_2_", suffix])

key_value(u, n, suffix) := object.get(u, key_column(n, suffix), null)

key_active(u, n) if key_value(u, n, "active") == true

# A value is a time when its age was computed: the normaliser sets `<col>_days` to null otherwise.
is_time(u, column) if is_number(object.get(u, concat("", [column, "_days"]), null))

days(u, column) := object.get(u, concat("", [column, "_days"]), null)

# What AWS wrote in a cell, for messages ("no_information", "N/A", ...); "" when the column is absent.
raw(u, column) := object.get(object.get(u, "raw", {}), column, "")

# join glues message parts (strings only) together, natively in wasm, where sprintf("%s...") would call JavaScript.
join(parts) := concat("", parts)

# number_text renders a number exactly as sprintf's %v does. format_int is native in wasm but only right for
# integers within int32: outside it, opa-wasm's format_int aborts the whole evaluation ("strings: get uint failed")
# or prints -2147483648 as "--2147483648". Anything else (fractions, huge values) is left to sprintf.
# Access key numbers (1, 2) are safe for format_int as they are.
number_text(n) := format_int(n, 10) if {
	n > -2147483648
	n < 2147483648
	n == floor(n)
} else := sprintf("%v", [n])

# The calendar date (UTC) of an ISO 8601 time, as shown in messages.
date(t) := substring(t, 0, 10)

# age_text renders an age in days for messages: whole days, rounded down. When the rounded value
# would hide which side of the threshold the age is on (e.g. 90 days and 1 minute against "older
# than 90 days"), the remaining hours and minutes are added.
age_text(d, threshold) := text if {
	whole := floor(d)
	whole == threshold
	rest_minutes := round((d - whole) * 1440)
	rest_minutes > 0
	rest_minutes < 1440
	text := join([day_count(whole), " ", minute_count(rest_minutes)])
} else := day_count(floor(d))

day_count(n) := "1 day" if {
	n == 1
} else := join([number_text(n), " days"])

minute_count(m) := join([number_text(floor(m / 60)), " h ", number_text(m % 60), " min"]) if {
	m >= 60
} else := join([number_text(m), " min"])

# "92 days before the evaluation time" or, for a time after it, "3 days after the evaluation time".
relative_text(d, threshold) := join([age_text(d, threshold), " before the evaluation time"]) if {
	d >= 0
} else := join([age_text(0 - d, threshold), " after the evaluation time"])

# One result object in the shape the engine expects from deny/warn/info/skip rules.
result(u, key, field, msg) := {
	"msg": msg,
	"user": u.user,
	"line": object.get(u, "line", null),
	"key": key,
	"field": field,
}

# Where and how a key was last used, e.g. " in us-east-1 (s3)"; parts AWS reports as N/A are left out.
usage_place(u, n) := concat("", [region_text(u, n), service_text(u, n)])

region_text(u, n) := join([" in ", r]) if {
	r := key_value(u, n, "last_used_region")
	is_string(r)
	r != ""
} else := ""

service_text(u, n) := join([" (", s, ")"]) if {
	s := key_value(u, n, "last_used_service")
	is_string(s)
	s != ""
} else := ""

# The numbers of the user's active access keys, in order.
active_keys(u) := [n | some n in key_numbers; key_active(u, n)]

# "no active access key", "active access key 2" or "active access keys 1 and 2".
active_keys_text(u) := "no active access key" if {
	count(active_keys(u)) == 0
} else := join(["active access key ", number_text(active_keys(u)[0])]) if {
	count(active_keys(u)) == 1
} else := "active access keys 1 and 2"

# Milliseconds from the user's creation to key n's creation, from the two exact ages (undefined when either
# is not a time). Rounded to whole milliseconds so that float noise cannot move a boundary.
key_setup_gap_ms(u, n) := round((days(u, "user_creation_time") - days(u, key_column(n, "last_rotated"))) * 86400000) if {
	is_time(u, "user_creation_time")
	is_time(u, key_column(n, "last_rotated"))
}

# A positive duration in milliseconds as "425 days", "12 min" or "11 s" ("1.5 s": seconds keep their fraction).
duration_text(ms) := day_count(floor(ms / 86400000)) if {
	ms >= 86400000
} else := join([number_text(floor(ms / 60000)), " min"]) if {
	ms >= 60000
} else := join([number_text(ms / 1000), " s"])

# "created 2024-01-01, last used 2024-05-31" / "created 2024-01-01, never used" for key n.
key_history_text(u, n) := join(["created ", date(key_value(u, n, "last_rotated")), ", ", key_use_text(u, n)]) if {
	is_time(u, key_column(n, "last_rotated"))
} else := key_use_text(u, n)

key_use_text(u, n) := join(["last used ", date(key_value(u, n, "last_used_date"))]) if {
	is_time(u, key_column(n, "last_used_date"))
} else := "never used"

# The raw cell text, or `fallback` when the cell is absent or empty.
raw_or(u, column, fallback) := raw(u, column) if {
	raw(u, column) != ""
} else := fallback

# A virtual MFA device that belongs to the root user: assigned to `<root_account>` or the root ARN, or named
# root-account-mfa-device (ListVirtualMFADevices may return root's device without a user name, and IAM users
# cannot be given that name) unless it is explicitly assigned to an IAM user.
root_virtual_mfa_device(device) if {
	device.type == "virtual"
	mfa_device_of_root(device)
}

mfa_device_of_root(device) if device.user == root_user_name

mfa_device_of_root(device) if endswith(device.user, ":root")

mfa_device_of_root(device) if {
	not mfa_device_of_iam_user(device)
	endswith(device.serial_number, ":mfa/root-account-mfa-device")
}

mfa_device_of_iam_user(device) if {
	is_string(device.user)
	device.user != root_user_name
	not endswith(device.user, ":root")
}
