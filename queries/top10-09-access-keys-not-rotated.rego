# METADATA
# title: Active access keys not rotated in 90 days
# description: Users with an active access key created or last rotated more than 90 days before the evaluation time.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 9
#   question: "#9 Are access keys being rotated?"
#   sql: >-
#     select user_name,
#     access_key_1_active, age(date(current_timestamp), date(access_key_1_last_rotated)) as key1_last_changed,
#     access_key_2_active, age(date(current_timestamp), date(access_key_2_last_rotated)) as key2_last_changed
#     from aws_iam_credential_report
#     where (access_key_1_active and (date(current_timestamp) - date(access_key_1_last_rotated)) > 90)
#     or (access_key_2_active and (date(current_timestamp) - date(access_key_2_last_rotated)) > 90);
package credcheck.queries.top10_09_access_keys_not_rotated

stale_key(u) if {
	u.access_key_1_active == true
	u.access_key_1_last_rotated_days > 90
}

stale_key(u) if {
	u.access_key_2_active == true
	u.access_key_2_last_rotated_days > 90
}

result := [row |
	some u in input.users
	stale_key(u)
	row := {
		"user": u.user,
		"access_key_1_active": u.access_key_1_active,
		"access_key_1_last_rotated_days": u.access_key_1_last_rotated_days,
		"access_key_2_active": u.access_key_2_active,
		"access_key_2_last_rotated_days": u.access_key_2_last_rotated_days,
	}
]
