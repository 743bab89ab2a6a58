package credcheck.checks.two_active_keys_test

import data.credcheck.checks.two_active_keys as check
import data.credcheck.lib.testing as t

test_two_active_keys_fail if {
	row := t.user("alice", {
		"access_key_1_active": true,
		"access_key_1_last_rotated": "2024-01-01T00:00:00Z",
		"access_key_1_last_rotated_days": 152,
		"access_key_1_last_used_date": "2024-05-31T00:00:00Z",
		"access_key_1_last_used_date_days": 1,
		"access_key_2_active": true,
		"access_key_2_last_rotated": "2024-05-30T00:00:00Z",
		"access_key_2_last_rotated_days": 2,
	})
	check.deny == {{
		"msg": "user alice has two active access keys (key 1 created 2024-01-01, last used 2024-05-31, key 2 created 2024-05-30, never used)",
		"user": "alice",
		"line": 2,
		"key": null,
		"field": "access_key_2_active",
	}} with input as t.input_with([row])
}

test_one_active_key_passes if {
	count(check.deny) == 0 with input as t.input_with([
		t.user("a", {"access_key_1_active": true}),
		t.user("b", {"access_key_2_active": true}),
	])
}

# An inactive key that still exists (it keeps its date) is not an active key.
test_active_and_inactive_key_passes if {
	row := t.user("a", {
		"access_key_1_active": false,
		"access_key_1_last_rotated": "2024-01-01T00:00:00Z",
		"access_key_1_last_rotated_days": 152,
		"access_key_2_active": true,
	})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_unknown_active_flag_never_fails if {
	count(check.deny) == 0 with input as t.input_with([t.user("a", {"access_key_1_active": null, "access_key_2_active": true})])
}

test_root_row_excluded if {
	count(check.deny) == 0 with input as t.input_with([t.root({"access_key_1_active": true, "access_key_2_active": true})])
}
