package credcheck.checks.unused_access_key_test

import data.credcheck.checks.unused_access_key as check
import data.credcheck.lib.testing as t

used(n, days) := t.user("alice", {
	sprintf("access_key_%d_active", [n]): true,
	sprintf("access_key_%d_last_rotated", [n]): "2023-01-01T00:00:00Z",
	sprintf("access_key_%d_last_rotated_days", [n]): 517,
	sprintf("access_key_%d_last_used_date", [n]): "2024-04-17T00:00:00Z",
	sprintf("access_key_%d_last_used_date_days", [n]): days,
	sprintf("access_key_%d_last_used_region", [n]): "us-east-1",
	sprintf("access_key_%d_last_used_service", [n]): "s3",
	sprintf("access_key_%d_last_used_status", [n]): "used",
})

never_used(n, created_days) := t.user("bob", {
	sprintf("access_key_%d_active", [n]): true,
	sprintf("access_key_%d_last_rotated", [n]): "2024-04-17T00:00:00Z",
	sprintf("access_key_%d_last_rotated_days", [n]): created_days,
	sprintf("access_key_%d_last_used_status", [n]): "never_used",
})

test_key_2_used_92_days_ago_fails_with_place if {
	row := object.union(used(2, 92), {"access_key_2_last_used_date": "2024-03-01T00:00:00Z"})
	check.deny == {{
		"msg": "access key 2 last used 2024-03-01 in us-east-1 (s3), 92 days before the evaluation time (threshold: unused for 45 days or more)",
		"user": "alice",
		"line": 2,
		"key": 2,
		"field": "access_key_2_last_used_date",
	}} with input as t.input_with([row])
}

test_boundary_exactly_45_days_fails if {
	count(check.deny) == 1 with input as t.input_with([used(1, 45)])
}

test_boundary_a_minute_over_45_days_fails if {
	count(check.deny) == 1 with input as t.input_with([used(1, 45 + t.minute)])
}

test_boundary_a_minute_under_45_days_passes if {
	count(check.deny) == 0 with input as t.input_with([used(1, 45 - t.minute)])
}

test_never_used_key_falls_back_to_last_rotated if {
	check.deny == {{
		"msg": "access key 1 was never used; created 2024-04-17, 45 days before the evaluation time (threshold: unused for 45 days or more)",
		"user": "bob",
		"line": 2,
		"key": 1,
		"field": "access_key_1_last_rotated",
	}} with input as t.input_with([never_used(1, 45)])
}

test_boundary_never_used_key_a_minute_over_fails if {
	count(check.deny) == 1 with input as t.input_with([never_used(2, 45 + t.minute)])
}

test_boundary_never_used_key_a_minute_under_passes if {
	count(check.deny) == 0 with input as t.input_with([never_used(2, 45 - t.minute)])
}

# Key 2 is evaluated even though key 1 is inactive (Steampipe short-circuits here).
test_key_2_checked_when_key_1_inactive if {
	row := object.union(used(2, 100), {
		"access_key_1_active": false,
		"access_key_1_last_rotated": "2023-01-01T00:00:00Z",
		"access_key_1_last_rotated_days": 517,
	})
	{r.key | some r in check.deny} == {2} with input as t.input_with([row])
}

test_one_finding_per_key if {
	row := object.union(used(1, 50), {
		"access_key_2_active": true,
		"access_key_2_last_used_date": "2024-04-02T00:00:00Z",
		"access_key_2_last_used_date_days": 60,
	})
	{r.key | some r in check.deny} == {1, 2} with input as t.input_with([row])
}

test_inactive_key_never_fails if {
	row := object.union(used(1, 400), {"access_key_1_active": false})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_key_without_any_time_never_fails if {
	row := t.user("c", {"access_key_1_active": true})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_place_omits_missing_region if {
	row := object.union(used(1, 60), {"access_key_1_last_used_region": null, "access_key_1_last_used_service": "s3"})
	some r in check.deny with input as t.input_with([row])
	r.msg == "access key 1 last used 2024-04-17 (s3), 60 days before the evaluation time (threshold: unused for 45 days or more)"
}

test_root_row_excluded if {
	row := object.union(used(1, 400), {"user": "<root_account>", "is_root": true})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_parameter_90_days if {
	count(check.deny) == 0 with input as t.input_with([used(1, 90 - t.minute)]) with data.params as {"unusedCredentialDays": 90}
	count(check.deny) == 1 with input as t.input_with([used(1, 90)]) with data.params as {"unusedCredentialDays": 90}
}
