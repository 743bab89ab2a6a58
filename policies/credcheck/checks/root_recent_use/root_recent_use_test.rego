package credcheck.checks.root_recent_use_test

import data.credcheck.checks.root_recent_use as check
import data.credcheck.lib.testing as t

password_used(days) := t.root({"password_last_used": "2024-03-03T00:00:00Z", "password_last_used_days": days})

test_password_used_30_days_ago_fails if {
	check.deny == {{
		"msg": "root user signed in with the password on 2024-05-02, 30 days before the evaluation time (threshold: used within 90 days)",
		"user": "<root_account>",
		"line": 2,
		"key": null,
		"field": "password_last_used",
	}} with input as t.input_with([t.root({"password_last_used": "2024-05-02T00:00:00Z", "password_last_used_days": 30})])
}

test_boundary_exactly_90_days_fails if {
	some r in check.deny with input as t.input_with([password_used(90)])
	r.msg == "root user signed in with the password on 2024-03-03, 90 days before the evaluation time (threshold: used within 90 days)"
}

test_boundary_a_minute_under_90_days_fails if {
	count(check.deny) == 1 with input as t.input_with([password_used(90 - t.minute)])
}

test_boundary_a_minute_over_90_days_passes if {
	count(check.deny) == 0 with input as t.input_with([password_used(90 + t.minute)])
}

test_never_used_root_passes if {
	count(check.deny) == 0 with input as t.input_with([t.root({"raw": {"password_last_used": "no_information"}})])
}

# The most recent of the three decides: an old password use does not hide a fresh key use (Prowler's
# first-non-empty rule would pass this).
test_most_recent_of_password_and_keys_decides if {
	row := t.root({
		"password_last_used": "2023-01-01T00:00:00Z",
		"password_last_used_days": 517,
		"access_key_2_active": true,
		"access_key_2_last_used_date": "2024-05-31T00:00:00Z",
		"access_key_2_last_used_date_days": 1,
		"access_key_2_last_used_region": "eu-west-1",
		"access_key_2_last_used_service": "ec2",
	})
	check.deny == {{
		"msg": "root user used access key 2 in eu-west-1 (ec2) on 2024-05-31, 1 day before the evaluation time (threshold: used within 90 days)",
		"user": "<root_account>",
		"line": 2,
		"key": 2,
		"field": "access_key_2_last_used_date",
	}} with input as t.input_with([row])
}

# Steampipe alarms on keys used long ago and passes keys used yesterday; here an old key use passes.
test_key_used_long_ago_passes if {
	row := t.root({"access_key_1_last_used_date": "2023-01-01T00:00:00Z", "access_key_1_last_used_date_days": 517})
	count(check.deny) == 0 with input as t.input_with([row])
}

test_key_1_recent_use_fails if {
	row := t.root({"access_key_1_last_used_date": "2024-05-22T00:00:00Z", "access_key_1_last_used_date_days": 10})
	some r in check.deny with input as t.input_with([row])
	r.key == 1
	r.field == "access_key_1_last_used_date"
}

test_ties_reported_once_on_the_password if {
	row := t.root({
		"password_last_used": "2024-05-22T00:00:00Z",
		"password_last_used_days": 10,
		"access_key_1_last_used_date": "2024-05-22T00:00:00Z",
		"access_key_1_last_used_date_days": 10,
	})
	results := check.deny with input as t.input_with([row])
	count(results) == 1
	some r in results
	r.field == "password_last_used"
}

test_parameter_override_1_day if {
	inp := t.input_with([password_used(30)])
	count(check.deny) == 0 with input as inp with data.params as {"rootRecentUseDays": 1}
	count(check.deny) == 1 with input as t.input_with([password_used(1)]) with data.params as {"rootRecentUseDays": 1}
	count(check.deny) == 0 with input as t.input_with([password_used(1 + t.minute)]) with data.params as {"rootRecentUseDays": 1}
}

test_parameter_given_as_string if {
	count(check.deny) == 0 with input as t.input_with([password_used(30)]) with data.params as {"rootRecentUseDays": "7"}
}

test_iam_users_are_not_checked if {
	row := t.user("alice", {"password_last_used": "2024-05-31T00:00:00Z", "password_last_used_days": 1})
	count(check.deny) == 0 with input as t.input_with([row])
}

# A use after the evaluation time (edited fixtures) has a negative age, which is within the threshold.
test_future_use_counts_as_recent if {
	row := t.root({"password_last_used": "2024-06-04T00:00:00Z", "password_last_used_days": -3})
	some r in check.deny with input as t.input_with([row])
	r.msg == "root user signed in with the password on 2024-06-04, 3 days after the evaluation time (threshold: used within 90 days)"
}
