package credcheck.checks.user_mfa_test

import data.credcheck.checks.user_mfa as check
import data.credcheck.lib.testing as t

test_user_without_mfa_fails_even_without_password if {
	row := t.user("svc", {"access_key_1_active": true})
	check.deny == {{
		"msg": "user svc has no MFA device (no console password, active access key 1)",
		"user": "svc",
		"line": 2,
		"key": null,
		"field": "mfa_active",
	}} with input as t.input_with([row])
}

test_console_user_without_mfa_fails if {
	row := t.user("alice", {"password_enabled": true, "access_key_1_active": true, "access_key_2_active": true})
	some r in check.deny with input as t.input_with([row])
	r.msg == "user alice has no MFA device (console password enabled, active access keys 1 and 2)"
}

test_user_with_nothing_still_fails if {
	some r in check.deny with input as t.input_with([t.user("idle", {})])
	r.msg == "user idle has no MFA device (no console password, no active access key)"
}

test_user_with_mfa_passes if {
	count(check.deny) == 0 with input as t.input_with([t.user("alice", {"mfa_active": true})])
}

test_unknown_mfa_never_fails if {
	count(check.deny) == 0 with input as t.input_with([t.user("alice", {"mfa_active": null})])
}

test_root_row_excluded if {
	count(check.deny) == 0 with input as t.input_with([t.root({"mfa_active": false})])
}
