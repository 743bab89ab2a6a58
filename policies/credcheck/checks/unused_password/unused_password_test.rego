package credcheck.checks.unused_password_test

import data.credcheck.checks.unused_password as check
import data.credcheck.lib.testing as t

used(days) := t.user("alice", {
	"password_enabled": true,
	"password_last_used": "2024-04-17T00:00:00Z",
	"password_last_used_days": days,
	"password_last_used_status": "used",
	"password_last_changed": "2023-01-01T00:00:00Z",
	"password_last_changed_days": 517,
})

never_used(changed_days) := t.user("bob", {
	"password_enabled": true,
	"password_last_used_status": "never_used",
	"raw": {"password_last_used": "no_information"},
	"password_last_changed": "2024-04-17T00:00:00Z",
	"password_last_changed_days": changed_days,
})

test_last_used_92_days_ago_fails if {
	row := object.union(used(92), {"password_last_used": "2024-03-01T00:00:00Z"})
	check.deny == {{
		"msg": "user alice's console password was last used 2024-03-01, 92 days before the evaluation time (threshold: unused for 45 days or more)",
		"user": "alice",
		"line": 2,
		"key": null,
		"field": "password_last_used",
	}} with input as t.input_with([row])
}

test_boundary_used_exactly_45_days_ago_fails if {
	some r in check.deny with input as t.input_with([used(45)])
	r.msg == "user alice's console password was last used 2024-04-17, 45 days before the evaluation time (threshold: unused for 45 days or more)"
}

test_boundary_used_a_minute_over_45_days_fails if {
	some r in check.deny with input as t.input_with([used(45 + t.minute)])
	r.msg == "user alice's console password was last used 2024-04-17, 45 days 1 min before the evaluation time (threshold: unused for 45 days or more)"
}

test_boundary_used_a_minute_under_45_days_passes if {
	count(check.deny) == 0 with input as t.input_with([used(45 - t.minute)])
}

# A recent use wins over an old password_last_changed: the fallback applies only when never used.
test_recent_use_passes_despite_old_change if {
	count(check.deny) == 0 with input as t.input_with([used(1)])
}

test_never_used_falls_back_to_password_last_changed if {
	check.deny == {{
		"msg": "user bob's console password was never used (password_last_used is no_information); it was set 2024-04-17, 45 days before the evaluation time (threshold: unused for 45 days or more)",
		"user": "bob",
		"line": 2,
		"key": null,
		"field": "password_last_changed",
	}} with input as t.input_with([never_used(45)])
}

test_boundary_never_used_set_a_minute_over_45_days_fails if {
	count(check.deny) == 1 with input as t.input_with([never_used(45 + t.minute)])
}

test_boundary_never_used_set_a_minute_under_45_days_passes if {
	count(check.deny) == 0 with input as t.input_with([never_used(45 - t.minute)])
}

test_no_time_at_all_never_counts_as_old if {
	row := t.user("carol", {"password_enabled": true, "password_last_used_status": "never_used"})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_password_disabled_passes if {
	row := object.union(used(400), {"password_enabled": false})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_root_row_excluded if {
	row := t.root({"password_enabled": true, "password_last_used": "2023-01-01T00:00:00Z", "password_last_used_days": 517})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_parameter_90_days if {
	count(check.deny) == 0 with input as t.input_with([used(89)]) with data.params as {"unusedCredentialDays": 90}
	count(check.deny) == 1 with input as t.input_with([used(90)]) with data.params as {"unusedCredentialDays": 90}
	count(check.deny) == 0 with input as t.input_with([used(90 - t.minute)]) with data.params as {"unusedCredentialDays": 90}
	count(check.deny) == 1 with input as t.input_with([used(90 + t.minute)]) with data.params as {"unusedCredentialDays": 90}
}
