package credcheck.checks.root_mfa_test

import data.credcheck.checks.root_mfa as check
import data.credcheck.lib.testing as t

test_root_without_mfa_fails if {
	check.deny == {{
		"msg": "root user has no MFA device (mfa_active is false)",
		"user": "<root_account>",
		"line": 2,
		"key": null,
		"field": "mfa_active",
	}} with input as t.input_with([t.root({"mfa_active": false})])
}

test_root_without_mfa_message_names_last_sign_in if {
	some r in check.deny with input as t.input_with([t.root({
		"mfa_active": false,
		"password_last_used": "2024-03-01T00:00:00Z",
		"password_last_used_days": 92,
	})])
	r.msg == "root user has no MFA device (mfa_active is false); root password last used 2024-03-01 (92 days before the evaluation time)"
}

test_root_with_mfa_passes if {
	count(check.deny) == 0 with input as t.input_with([t.root({"mfa_active": true})])
	count(check.skip) == 0 with input as t.input_with([t.root({"mfa_active": true})])
}

# Root's password_enabled is not_supported (null): the check still fails without MFA and without keys.
test_root_without_keys_and_not_supported_password_still_fails if {
	count(check.deny) == 1 with input as t.input_with([t.root({"mfa_active": false, "password_enabled": null})])
}

test_unknown_mfa_active_skips_not_fails if {
	row := t.root({"mfa_active": null, "raw": {"mfa_active": "not_supported"}})
	count(check.deny) == 0 with input as t.input_with([row])
	check.skip == {{
		"msg": "cannot decide: the root row's mfa_active is \"not_supported\", not true or false",
		"user": "<root_account>",
		"line": 2,
		"key": null,
		"field": "mfa_active",
	}} with input as t.input_with([row])
}

test_missing_mfa_column_skips if {
	row := object.remove(t.root({}), ["mfa_active"])
	some r in check.skip with input as t.input_with([row])
	r.msg == "cannot decide: the root row's mfa_active is missing or empty, not true or false"
}

test_iam_users_are_not_checked if {
	count(check.deny) == 0 with input as t.input_with([t.user("alice", {"mfa_active": false})])
}

test_report_without_root_row_has_no_results if {
	count(check.deny) + count(check.skip) == 0 with input as t.input_with([])
}
