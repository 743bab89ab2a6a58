# METADATA
# title: Access keys older than 90 days
# description: >-
#   Users with an access key created or last rotated 90 days or more before the evaluation time, by user name, with
#   the age of each key in days (null when the user has no such key).
# custom:
#   source: seeds/000 Steampipe aws_iam_credential_report table, examples
#   question: List access keys older than 90 days
#   sql: >-
#     select user_name, access_key_1_last_rotated, age(access_key_1_last_rotated) as access_key_1_age,
#     access_key_2_last_rotated, age(access_key_2_last_rotated) as access_key_2_age from aws_iam_credential_report
#     where access_key_1_last_rotated <= (current_date - interval '90' day)
#     or access_key_2_last_rotated <= (current_date - interval '90' day) order by user_name;
package credcheck.queries.table_04_access_keys_older_than_90_days

old_key(u) if u.access_key_1_last_rotated_days >= 90

old_key(u) if u.access_key_2_last_rotated_days >= 90

result := [row |
	some name in sort({u.user | some u in input.users})
	some u in input.users
	u.user == name
	old_key(u)
	row := {
		"user": u.user,
		"access_key_1_last_rotated": u.access_key_1_last_rotated,
		"access_key_1_age_days": u.access_key_1_last_rotated_days,
		"access_key_2_last_rotated": u.access_key_2_last_rotated,
		"access_key_2_age_days": u.access_key_2_last_rotated_days,
	}
]
