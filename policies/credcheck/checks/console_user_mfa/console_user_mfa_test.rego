package credcheck.checks.console_user_mfa_test

import data.credcheck.checks.console_user_mfa as check
import data.credcheck.lib.testing as t

test_password_without_mfa_fails if {
	row := t.user("alice", {
		"password_enabled": true,
		"mfa_active": false,
		"password_last_used": "2024-03-01T00:00:00Z",
		"password_last_used_days": 92,
		"password_last_used_status": "used",
	})
	check.deny == {{
		"msg": "user alice has a console password but no MFA device (password last used 2024-03-01, 92 days before the evaluation time)",
		"user": "alice",
		"line": 2,
		"key": null,
		"field": "mfa_active",
	}} with input as t.input_with([row])
}

test_never_used_password_without_mfa_fails if {
	row := t.user("bob", {"password_enabled": true, "mfa_active": false, "password_last_used_status": "never_used"})
	some r in check.deny with input as t.input_with([row])
	r.msg == "user bob has a console password but no MFA device (password never used)"
}

test_password_with_mfa_passes if {
	count(check.deny) == 0 with input as t.input_with([t.user("alice", {"password_enabled": true, "mfa_active": true})])
}

test_no_password_without_mfa_passes if {
	count(check.deny) == 0 with input as t.input_with([t.user("alice", {"password_enabled": false, "mfa_active": false})])
}

test_unknown_values_never_fail if {
	count(check.deny) == 0 with input as t.input_with([
		t.user("a", {"password_enabled": null, "mfa_active": false}),
		t.user("b", {"password_enabled": true, "mfa_active": null}),
	])
}

# Root (password_enabled not_supported, or true in some fixtures) is never an IAM user here.
test_root_row_excluded if {
	count(check.deny) == 0 with input as t.input_with([t.root({"password_enabled": true, "mfa_active": false})])
}

test_one_finding_per_user if {
	users := [
		t.user("a", {"password_enabled": true, "mfa_active": false, "line": 3}),
		t.user("b", {"password_enabled": true, "mfa_active": false, "line": 4}),
		t.user("c", {"password_enabled": true, "mfa_active": true, "line": 5}),
	]
	{[r.user, r.line] | some r in check.deny} == {["a", 3], ["b", 4]} with input as t.input_with(users)
}
