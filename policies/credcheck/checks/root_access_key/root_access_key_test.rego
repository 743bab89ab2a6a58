package credcheck.checks.root_access_key_test

import data.credcheck.checks.root_access_key as check
import data.credcheck.lib.testing as t

test_root_without_keys_passes if {
	count(check.deny) == 0 with input as t.input_with([t.root({})])
}

test_root_key_1_active_fails_once if {
	results := check.deny with input as t.input_with([t.root({
		"access_key_1_active": true,
		"access_key_1_last_rotated": "2024-01-01T00:00:00Z",
		"access_key_1_last_rotated_days": 152,
	})])
	results == {{
		"msg": "root user has an active access key 1, created 2024-01-01 (152 days before the evaluation time), never used",
		"user": "<root_account>",
		"line": 2,
		"key": 1,
		"field": "access_key_1_active",
	}}
}

test_root_key_2_checked_when_key_1_inactive if {
	results := check.deny with input as t.input_with([t.root({
		"access_key_2_active": true,
		"access_key_2_last_rotated": "2024-01-01T00:00:00Z",
		"access_key_2_last_rotated_days": 152,
		"access_key_2_last_used_date": "2024-03-01T00:00:00Z",
		"access_key_2_last_used_date_days": 92,
		"access_key_2_last_used_region": "us-east-1",
		"access_key_2_last_used_service": "s3",
	})])
	count(results) == 1
	some r in results
	r.key == 2
	r.field == "access_key_2_active"
	r.msg == "root user has an active access key 2, created 2024-01-01 (152 days before the evaluation time), last used 2024-03-01 in us-east-1 (s3)"
}

test_root_both_keys_active_fail_per_key if {
	results := check.deny with input as t.input_with([t.root({"access_key_1_active": true, "access_key_2_active": true})])
	{r.key | some r in results} == {1, 2}
}

test_inactive_root_key_with_date_does_not_fail if {
	count(check.deny) == 0 with input as t.input_with([t.root({
		"access_key_1_active": false,
		"access_key_1_last_rotated": "2024-01-01T00:00:00Z",
		"access_key_1_last_rotated_days": 152,
	})])
}

test_unknown_active_flag_does_not_fail if {
	count(check.deny) == 0 with input as t.input_with([t.root({"access_key_1_active": null})])
}

test_iam_user_keys_are_not_root_keys if {
	count(check.deny) == 0 with input as t.input_with([t.user("alice", {"access_key_1_active": true, "access_key_2_active": true})])
}

# A row named <root_account> is the root row even when the derived flag is missing or false.
test_root_recognised_by_name if {
	row := object.union(t.root({"access_key_1_active": true}), {"is_root": false})
	count(check.deny) == 1 with input as t.input_with([row])
}

# Prowler skips a root row whose password_enabled is not_supported and has no keys; we never gate on it.
test_root_password_not_supported_is_not_a_gate if {
	count(check.deny) == 1 with input as t.input_with([t.root({"password_enabled": null, "access_key_1_active": true})])
}
