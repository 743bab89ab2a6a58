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
param(name) := value if {
	value := given_param(data.params[name])
} else := default_params[name]

# given_param is a parameter's value as a number, undefined when it is neither a number nor a string.
given_param(value) := to_number(value) if {
	is_string(value)
} else := value if {
	is_number(value)
}

root_user_name := "<root_account>"

# The root row is recognised by name and by the derived flag, so a hand-trimmed report without
# the derived field (or a fixture with a made-up ARN) is still handled the same way.
is_root(u) if u.user == root_user_name

is_root(u) if u.is_root == true

# "IAM user" in the check table means every row except the root row.
is_iam_user(u) if not is_root(u)

# Input projection: the engine hands the bundled checks only the row fields they read, which the compiler can tell
# only when every read names its column as a constant (compiler/projection.go) and no row is kept as a value. So
# nothing here or in the checks indexes a row with a computed name (`u[key.active]`, a name built with concat) or
# collects rows into a list: each column a check picks through a variable (access key n's, a time column) is read by
# a function with one definition per key number or column, each reading its column by name, which the analysis
# follows with the row. Rows are selected where they are used (`some u in input.users; lib.is_root(u)`): under wasm
# each rule entrypoint is a separate evaluation, so a shared list of rows would be rebuilt per entrypoint anyway.
# The per-user checks test their own conditions first and call is_iam_user last, only for rows with a finding.

# The two access key numbers; both are always examined, whatever the state of the other key.
key_numbers := [1, 2]

# The column names of each access key, spelled out, for the `field` of a finding and for key_column(n, suffix).
# The checks loop over `access_keys` and read a key's values with the access_key_* functions below.
key_columns := {
	1: {
		"n": 1,
		"text": "1",
		"active": "access_key_1_active",
		"last_rotated": "access_key_1_last_rotated",
		"last_rotated_days": "access_key_1_last_rotated_days",
		"last_used_date": "access_key_1_last_used_date",
		"last_used_date_days": "access_key_1_last_used_date_days",
		"last_used_region": "access_key_1_last_used_region",
		"last_used_service": "access_key_1_last_used_service",
	},
	2: {
		"n": 2,
		"text": "2",
		"active": "access_key_2_active",
		"last_rotated": "access_key_2_last_rotated",
		"last_rotated_days": "access_key_2_last_rotated_days",
		"last_used_date": "access_key_2_last_used_date",
		"last_used_date_days": "access_key_2_last_used_date_days",
		"last_used_region": "access_key_2_last_used_region",
		"last_used_service": "access_key_2_last_used_service",
	},
}

# The same descriptions in key order (key 1, then key 2), for `some key in lib.access_keys`.
access_keys := [key_columns[1], key_columns[2]]

key_column(n, suffix) := key_columns[n][suffix]

# access_key_<suffix>(u, n) is the row's `access_key_<n>_<suffix>`, undefined when the row has no such column.
access_key_active(u, 1) := u.access_key_1_active

access_key_active(u, 2) := u.access_key_2_active

access_key_last_rotated(u, 1) := u.access_key_1_last_rotated

access_key_last_rotated(u, 2) := u.access_key_2_last_rotated

access_key_last_rotated_days(u, 1) := u.access_key_1_last_rotated_days

access_key_last_rotated_days(u, 2) := u.access_key_2_last_rotated_days

access_key_last_used_date(u, 1) := u.access_key_1_last_used_date

access_key_last_used_date(u, 2) := u.access_key_2_last_used_date

access_key_last_used_date_days(u, 1) := u.access_key_1_last_used_date_days

access_key_last_used_date_days(u, 2) := u.access_key_2_last_used_date_days

# key_value(u, n, suffix) is access key n's column, null when the row has no such column (for messages).
key_value(u, 1, "last_rotated") := object.get(u, "access_key_1_last_rotated", null)

key_value(u, 2, "last_rotated") := object.get(u, "access_key_2_last_rotated", null)

key_value(u, 1, "last_used_date") := object.get(u, "access_key_1_last_used_date", null)

key_value(u, 2, "last_used_date") := object.get(u, "access_key_2_last_used_date", null)

key_value(u, 1, "last_used_region") := object.get(u, "access_key_1_last_used_region", null)

key_value(u, 2, "last_used_region") := object.get(u, "access_key_2_last_used_region", null)

key_value(u, 1, "last_used_service") := object.get(u, "access_key_1_last_used_service", null)

key_value(u, 2, "last_used_service") := object.get(u, "access_key_2_last_used_service", null)

key_active(u, n) if access_key_active(u, n) == true

# days(u, column) is `<column>_days`, the age the normaliser computed for a time column (null when the cell is not a
# time, or the row has no such column), for the time columns the checks read.
days(u, "user_creation_time") := object.get(u, "user_creation_time_days", null)

days(u, "password_last_used") := object.get(u, "password_last_used_days", null)

days(u, "password_last_changed") := object.get(u, "password_last_changed_days", null)

days(u, "access_key_1_last_rotated") := object.get(u, "access_key_1_last_rotated_days", null)

days(u, "access_key_1_last_used_date") := object.get(u, "access_key_1_last_used_date_days", null)

days(u, "access_key_2_last_rotated") := object.get(u, "access_key_2_last_rotated_days", null)

days(u, "access_key_2_last_used_date") := object.get(u, "access_key_2_last_used_date_days", null)

days(u, "cert_1_last_rotated") := object.get(u, "cert_1_last_rotated_days", null)

days(u, "cert_2_last_rotated") := object.get(u, "cert_2_last_rotated_days", null)

# time_text(u, column) is the time the cell of a time column holds (as normalised), undefined when the row has no
# such column; for the columns days() knows.
time_text(u, "user_creation_time") := u.user_creation_time

time_text(u, "password_last_used") := u.password_last_used

time_text(u, "password_last_changed") := u.password_last_changed

time_text(u, "access_key_1_last_rotated") := u.access_key_1_last_rotated

time_text(u, "access_key_1_last_used_date") := u.access_key_1_last_used_date

time_text(u, "access_key_2_last_rotated") := u.access_key_2_last_rotated

time_text(u, "access_key_2_last_used_date") := u.access_key_2_last_used_date

time_text(u, "cert_1_last_rotated") := u.cert_1_last_rotated

time_text(u, "cert_2_last_rotated") := u.cert_2_last_rotated

# A value is a time when its age was computed: the normaliser sets `<col>_days` to null otherwise.
is_time(u, column) if is_number(days(u, column))

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
age_text(d, threshold) := whole_age_text(d, floor(d), threshold)

# age_text with the whole days computed once: floor of a fractional age runs in decimal arithmetic under wasm, and
# this runs for every finding.
whole_age_text(d, whole, threshold) := text if {
	whole == threshold
	rest_minutes := round((d - whole) * 1440)
	rest_minutes > 0
	rest_minutes < 1440
	text := join([day_count(whole), " ", minute_count(rest_minutes)])
} else := day_count(whole)

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
active_keys(u) := [key.n | some key in access_keys; access_key_active(u, key.n) == true]

# "no active access key", "active access key 2" or "active access keys 1 and 2".
active_keys_text(u) := key_list_text(active_keys(u))

# The same text for numbers already at hand: active_keys is a comprehension, rebuilt on every call under wasm.
key_list_text(keys) := "no active access key" if {
	count(keys) == 0
} else := join(["active access key ", number_text(keys[0])]) if {
	count(keys) == 1
} else := "active access keys 1 and 2"

# Milliseconds from the user's creation to key n's creation, from the two exact ages (undefined when either
# is not a time). Rounded to whole milliseconds so that float noise cannot move a boundary.
key_setup_gap_ms(u, n) := round((user_days - key_days) * 86400000) if {
	is_time(u, "user_creation_time")
	is_time(u, key_column(n, "last_rotated"))
	user_days := days(u, "user_creation_time")
	key_days := days(u, key_column(n, "last_rotated"))
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
