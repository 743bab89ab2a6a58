# METADATA
# title: Has the root user been accessed recently?
# description: When the root user's password was last used, and how many days before the evaluation time.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 2
#   question: "#2 Has the root user been accessed recently?"
#   sql: >-
#     select user_name, password_last_used, age(date(current_timestamp), date(password_last_used)) as pw_last_used
#     from aws_iam_credential_report where user_name = '<root_account>';
package credcheck.queries.top10_02_root_recent_access

result := [row |
	some u in input.users
	u.is_root
	row := {
		"user": u.user,
		"password_last_used": u.password_last_used,
		"password_last_used_days": u.password_last_used_days,
	}
]
