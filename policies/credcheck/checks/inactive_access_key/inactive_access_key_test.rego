package credcheck.checks.inactive_access_key_test

import data.credcheck.checks.inactive_access_key as check
import data.credcheck.lib.testing as t

inactive(n) := t.user("pam", {
	sprintf("access_key_%d_active", [n]): false,
	sprintf("access_key_%d_last_rotated", [n]): "2024-01-01T00:00:00Z",
	sprintf("access_key_%d_last_rotated_days", [n]): 152,
	sprintf("access_key_%d_status", [n]): "inactive",
})

test_inactive_key_with_date_is_info if {
	check.info == {{
		"msg": "access key 1 is inactive but still exists; created 2024-01-01, 152 days before the evaluation time; never used",
		"user": "pam",
		"line": 2,
		"key": 1,
		"field": "access_key_1_active",
	}} with input as t.input_with([inactive(1)])
}

test_message_names_last_use if {
	row := object.union(inactive(2), {
		"access_key_2_last_used_date": "2024-03-01T00:00:00Z",
		"access_key_2_last_used_date_days": 92,
		"access_key_2_last_used_region": "eu-central-1",
		"access_key_2_last_used_service": "sts",
	})
	some r in check.info with input as t.input_with([row])
	r.msg == "access key 2 is inactive but still exists; created 2024-01-01, 152 days before the evaluation time; last used 2024-03-01 in eu-central-1 (sts)"
}

test_deleted_key_is_not_reported if {
	count(check.info) == 0 with input as t.input_with([t.user("a", {})])
}

test_active_key_is_not_reported if {
	row := object.union(inactive(1), {"access_key_1_active": true})
	count(check.info) == 0 with input as t.input_with([row])
}

test_unknown_active_flag_is_not_reported if {
	row := object.union(inactive(1), {"access_key_1_active": null})
	count(check.info) == 0 with input as t.input_with([row])
}

# The c7n recording has root with an inactive key 2 that keeps its date: root is included here.
test_root_inactive_key_is_reported if {
	row := t.root({"access_key_2_active": false, "access_key_2_last_rotated": "2011-05-01T00:00:00Z", "access_key_2_last_rotated_days": 4780})
	some r in check.info with input as t.input_with([row])
	r.user == "<root_account>"
	r.key == 2
}

test_both_keys_reported if {
	row := object.union(inactive(1), {"access_key_2_last_rotated": "2024-01-01T00:00:00Z", "access_key_2_last_rotated_days": 152})
	{r.key | some r in check.info} == {1, 2} with input as t.input_with([row])
}
