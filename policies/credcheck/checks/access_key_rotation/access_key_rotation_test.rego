package credcheck.checks.access_key_rotation_test

import data.credcheck.checks.access_key_rotation as check
import data.credcheck.lib.testing as t

created(n, days) := t.user("alice", {
	sprintf("access_key_%d_active", [n]): true,
	sprintf("access_key_%d_last_rotated", [n]): "2024-03-03T00:00:00Z",
	sprintf("access_key_%d_last_rotated_days", [n]): days,
})

test_key_152_days_old_fails if {
	row := object.union(created(1, 152), {"access_key_1_last_rotated": "2024-01-01T00:00:00Z"})
	check.deny == {{
		"msg": "access key 1 was created 2024-01-01, 152 days before the evaluation time, and not rotated since (threshold: older than 90 days)",
		"user": "alice",
		"line": 2,
		"key": 1,
		"field": "access_key_1_last_rotated",
	}} with input as t.input_with([row])
}

test_boundary_exactly_90_days_passes if {
	count(check.deny) == 0 with input as t.input_with([created(1, 90)])
}

test_boundary_a_minute_under_90_days_passes if {
	count(check.deny) == 0 with input as t.input_with([created(1, 90 - t.minute)])
}

test_boundary_a_minute_over_90_days_fails_and_says_so if {
	some r in check.deny with input as t.input_with([created(2, 90 + t.minute)])
	r.key == 2
	r.field == "access_key_2_last_rotated"
	r.msg == "access key 2 was created 2024-03-03, 90 days 1 min before the evaluation time, and not rotated since (threshold: older than 90 days)"
}

test_key_2_checked_when_key_1_inactive if {
	row := object.union(created(2, 200), {
		"access_key_1_active": false,
		"access_key_1_last_rotated": "2023-01-01T00:00:00Z",
		"access_key_1_last_rotated_days": 517,
	})
	{r.key | some r in check.deny} == {2} with input as t.input_with([row])
}

test_both_keys_old_one_finding_each if {
	row := object.union(created(1, 100), {
		"access_key_2_active": true,
		"access_key_2_last_rotated": "2024-01-01T00:00:00Z",
		"access_key_2_last_rotated_days": 152,
	})
	{r.key | some r in check.deny} == {1, 2} with input as t.input_with([row])
}

test_inactive_old_key_never_fails if {
	row := object.union(created(1, 400), {"access_key_1_active": false})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_active_key_without_time_never_fails if {
	count(check.deny) == 0 with input as t.input_with([t.user("a", {"access_key_1_active": true})])
}

# Rotation is about age, not use: a key used yesterday still fails when it is old.
test_recent_use_does_not_excuse_old_key if {
	row := object.union(created(1, 200), {"access_key_1_last_used_date": "2024-05-31T00:00:00Z", "access_key_1_last_used_date_days": 1})
	count(check.deny) == 1 with input as t.input_with([row])
}

test_root_row_excluded if {
	row := object.union(created(1, 400), {"user": "<root_account>", "is_root": true})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_parameter_override if {
	count(check.deny) == 1 with input as t.input_with([created(1, 30 + t.minute)]) with data.params as {"accessKeyRotationDays": 30}
	count(check.deny) == 0 with input as t.input_with([created(1, 30)]) with data.params as {"accessKeyRotationDays": 30}
}
