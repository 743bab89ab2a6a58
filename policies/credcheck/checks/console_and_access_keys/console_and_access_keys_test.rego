package credcheck.checks.console_and_access_keys_test

import data.credcheck.checks.console_and_access_keys as check
import data.credcheck.lib.testing as t

test_password_and_key_1_fails if {
	check.deny == {{
		"msg": "user dwight has a console password and active access key 1",
		"user": "dwight",
		"line": 2,
		"key": null,
		"field": "access_key_1_active",
	}} with input as t.input_with([t.user("dwight", {"password_enabled": true, "access_key_1_active": true})])
}

test_password_and_key_2_only_fails if {
	some r in check.deny with input as t.input_with([t.user("a", {"password_enabled": true, "access_key_2_active": true})])
	r.msg == "user a has a console password and active access key 2"
	r.field == "access_key_2_active"
}

test_password_and_both_keys_fails_once if {
	results := check.deny with input as t.input_with([t.user("a", {"password_enabled": true, "access_key_1_active": true, "access_key_2_active": true})])
	count(results) == 1
	some r in results
	r.msg == "user a has a console password and active access keys 1 and 2"
}

test_password_only_passes if {
	count(check.deny) == 0 with input as t.input_with([t.user("a", {"password_enabled": true})])
}

test_keys_only_passes if {
	count(check.deny) == 0 with input as t.input_with([t.user("a", {"password_enabled": false, "access_key_1_active": true})])
}

test_password_and_inactive_key_passes if {
	row := t.user("a", {"password_enabled": true, "access_key_1_active": false, "access_key_1_last_rotated": "2024-01-01T00:00:00Z", "access_key_1_last_rotated_days": 152})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_root_row_excluded if {
	count(check.deny) == 0 with input as t.input_with([t.root({"password_enabled": true, "access_key_1_active": true})])
}
