# METADATA
# title: Active access keys unused for 30 days or never used
# description: >-
#   Users with an active access key that was never used, or last used more than 30 days before the evaluation time.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 10
#   question: "#10 Can you find any users with unused access keys?"
#   sql: >-
#     select user_name,
#     access_key_1_last_used_date, age(date(current_timestamp), date(access_key_1_last_used_date)) as key1_last_used,
#     access_key_2_last_used_date, age(date(current_timestamp), date(access_key_2_last_used_date)) as key2_last_used
#     from aws_iam_credential_report
#     where (access_key_1_active and (access_key_1_last_used_date is null
#     or (date(current_timestamp) - date(access_key_1_last_used_date)) > 30))
#     or (access_key_2_active and (access_key_2_last_used_date is null
#     or (date(current_timestamp) - date(access_key_2_last_used_date)) > 30));
package credcheck.queries.top10_10_unused_access_keys

unused_key(u, n) if {
	u[sprintf("access_key_%d_active", [n])] == true
	u[sprintf("access_key_%d_last_used_date", [n])] == null
}

unused_key(u, n) if {
	u[sprintf("access_key_%d_active", [n])] == true
	u[sprintf("access_key_%d_last_used_date_days", [n])] > 30
}

result := [row |
	some u in input.users
	some n in [1, 2]
	unused_key(u, n)
	row := {
		"user": u.user,
		"access_key_1_last_used_date": u.access_key_1_last_used_date,
		"access_key_1_last_used_days": u.access_key_1_last_used_date_days,
		"access_key_2_last_used_date": u.access_key_2_last_used_date,
		"access_key_2_last_used_days": u.access_key_2_last_used_date_days,
	}
]
