package credcheck.checks.initial_access_key_test

import data.credcheck.checks.initial_access_key as check
import data.credcheck.lib.testing as t

# User created 2023-01-01T00:00:00Z (517 days before the evaluation time, see the testing blank row);
# key n created `seconds` later and never used.
key_after(n, seconds) := t.user("darryl", {
	"password_enabled": true,
	sprintf("access_key_%d_active", [n]): true,
	sprintf("access_key_%d_last_rotated", [n]): "2023-01-01T00:00:05Z",
	sprintf("access_key_%d_last_rotated_days", [n]): 517 - (seconds * t.second),
	sprintf("access_key_%d_last_used_status", [n]): "never_used",
})

test_key_created_3_s_after_user_fails if {
	check.deny == {{
		"msg": "access key 1 was created 3 s after the user (2023-01-01) and never used, and user darryl has a console password (threshold: within 10 s)",
		"user": "darryl",
		"line": 2,
		"key": 1,
		"field": "access_key_1_last_rotated",
	}} with input as t.input_with([key_after(1, 3)])
	count(check.warn) == 0 with input as t.input_with([key_after(1, 3)])
}

test_boundary_9_s_fails if {
	count(check.deny) == 1 with input as t.input_with([key_after(1, 9)])
	count(check.warn) == 0 with input as t.input_with([key_after(1, 9)])
}

test_boundary_exactly_10_s_fails if {
	count(check.warn) == 0 with input as t.input_with([key_after(2, 10)])
	some r in check.deny with input as t.input_with([key_after(2, 10)])
	r.key == 2
	r.msg == "access key 2 was created 10 s after the user (2023-01-01) and never used, and user darryl has a console password (threshold: within 10 s)"
}

test_boundary_11_s_warns if {
	count(check.deny) == 0 with input as t.input_with([key_after(1, 11)])
	check.warn == {{
		"msg": "access key 1 was never used; created 2023-01-01, 11 s after the user, and user darryl has a console password",
		"user": "darryl",
		"line": 2,
		"key": 1,
		"field": "access_key_1_last_used_date",
	}} with input as t.input_with([key_after(1, 11)])
}

test_same_second_fails if {
	some r in check.deny with input as t.input_with([key_after(1, 0)])
	r.msg == "access key 1 was created at the same time as the user (2023-01-01) and never used, and user darryl has a console password (threshold: within 10 s)"
}

test_key_created_months_later_warns_with_gap if {
	row := object.union(key_after(1, 0), {
		"access_key_1_last_rotated": "2024-03-01T00:00:00Z",
		"access_key_1_last_rotated_days": 92,
	})
	some r in check.warn with input as t.input_with([row])
	r.msg == "access key 1 was never used; created 2024-03-01, 425 days after the user, and user darryl has a console password"
}

test_used_key_passes if {
	row := object.union(key_after(1, 0), {"access_key_1_last_used_date": "2024-05-01T00:00:00Z", "access_key_1_last_used_date_days": 31})
	count(check.deny) + count(check.warn) == 0 with input as t.input_with([row])
}

test_user_without_password_passes if {
	row := object.union(key_after(1, 0), {"password_enabled": false})
	count(check.deny) + count(check.warn) == 0 with input as t.input_with([row])
}

test_inactive_key_passes if {
	row := object.union(key_after(1, 0), {"access_key_1_active": false})
	count(check.deny) + count(check.warn) == 0 with input as t.input_with([row])
}

test_key_2_checked_when_key_1_inactive if {
	row := object.union(key_after(2, 1), {
		"access_key_1_active": false,
		"access_key_1_last_rotated": "2023-01-01T00:00:00Z",
		"access_key_1_last_rotated_days": 517,
	})
	{r.key | some r in check.deny} == {2} with input as t.input_with([row])
}

test_both_keys_reported_separately if {
	row := object.union(key_after(1, 2), {
		"access_key_2_active": true,
		"access_key_2_last_rotated": "2024-03-01T00:00:00Z",
		"access_key_2_last_rotated_days": 92,
	})
	{r.key | some r in check.deny} == {1} with input as t.input_with([row])
	{r.key | some r in check.warn} == {2} with input as t.input_with([row])
}

test_missing_creation_time_warns if {
	row := object.union(key_after(1, 0), {"user_creation_time": null, "user_creation_time_days": null})
	count(check.deny) == 0 with input as t.input_with([row])
	some r in check.warn with input as t.input_with([row])
	r.msg == "access key 1 was never used; its creation cannot be compared with the user's (a time is missing), and user darryl has a console password"
}

test_root_row_excluded if {
	row := object.union(key_after(1, 0), {"user": "<root_account>", "is_root": true})
	count(check.deny) + count(check.warn) == 0 with input as t.input_with([row])
}

test_parameter_override if {
	inp := t.input_with([key_after(1, 30)])
	count(check.deny) == 1 with input as inp with data.params as {"initialKeySetupSeconds": 30}
	count(check.deny) == 0 with input as inp with data.params as {"initialKeySetupSeconds": 29}
	count(check.warn) == 1 with input as inp with data.params as {"initialKeySetupSeconds": 29}
}
