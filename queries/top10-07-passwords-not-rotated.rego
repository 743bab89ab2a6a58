# METADATA
# title: Passwords not rotated in 90 days
# description: >-
#   IAM users (not root) whose console password was last changed more than 90 days before the evaluation time.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 7
#   question: "#7 Find any users with passwords that have not been rotated."
#   sql: >-
#     select user_name, password_last_changed,
#     age(date(current_timestamp), date(password_last_changed)) as pw_last_changed
#     from aws_iam_credential_report where user_name != '<root_account>' and password_enabled
#     and (date(current_timestamp) - date(password_last_changed)) > 90;
package credcheck.queries.top10_07_passwords_not_rotated

result := [row |
	some u in input.users
	not u.is_root
	u.password_enabled == true
	u.password_last_changed_days > 90
	row := {
		"user": u.user,
		"password_last_changed": u.password_last_changed,
		"password_last_changed_days": u.password_last_changed_days,
	}
]
