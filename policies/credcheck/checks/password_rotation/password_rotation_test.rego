package credcheck.checks.password_rotation_test

import data.credcheck.checks.password_rotation as check
import data.credcheck.lib.testing as t

changed(days) := t.user("kelly", {
	"password_enabled": true,
	"password_last_changed": "2024-03-03T00:00:00Z",
	"password_last_changed_days": days,
})

test_password_152_days_old_fails if {
	row := object.union(changed(152), {"password_last_changed": "2024-01-01T00:00:00Z"})
	check.deny == {{
		"msg": "user kelly's console password was last changed 2024-01-01, 152 days before the evaluation time (threshold: older than 90 days)",
		"user": "kelly",
		"line": 2,
		"key": null,
		"field": "password_last_changed",
	}} with input as t.input_with([row])
}

test_boundary_exactly_90_days_passes if {
	count(check.deny) == 0 with input as t.input_with([changed(90)])
}

test_boundary_a_minute_under_90_days_passes if {
	count(check.deny) == 0 with input as t.input_with([changed(90 - t.minute)])
}

test_boundary_a_minute_over_90_days_fails if {
	some r in check.deny with input as t.input_with([changed(90 + t.minute)])
	r.msg == "user kelly's console password was last changed 2024-03-03, 90 days 1 min before the evaluation time (threshold: older than 90 days)"
}

test_password_disabled_passes if {
	row := object.union(changed(400), {"password_enabled": false})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_missing_change_time_never_fails if {
	count(check.deny) == 0 with input as t.input_with([t.user("a", {"password_enabled": true})])
}

test_root_row_excluded if {
	row := t.root({"password_enabled": true, "password_last_changed": "2023-01-01T00:00:00Z", "password_last_changed_days": 517})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_parameter_override if {
	count(check.deny) == 1 with input as t.input_with([changed(90)]) with data.params as {"passwordRotationDays": 60}
	count(check.deny) == 0 with input as t.input_with([changed(90)]) with data.params as {"passwordRotationDays": 365}
}
