# METADATA
# title: Inactive users and users that never signed in
# description: >-
#   IAM users (not root) with a console password that was never used, or last used more than 90 days before the
#   evaluation time.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 6
#   question: "#6 Check for inactive users and users that have never logged in."
#   sql: >-
#     select user_name, password_enabled, password_last_used,
#     age(date(current_timestamp), date(password_last_used)) as last_used_age
#     from aws_iam_credential_report where user_name != '<root_account>' and password_enabled
#     and (password_last_used is null or (date(current_timestamp) - date(password_last_used)) > 90);
package credcheck.queries.top10_06_inactive_console_users

inactive(u) if u.password_last_used == null

inactive(u) if u.password_last_used_days > 90

result := [row |
	some u in input.users
	not u.is_root
	u.password_enabled == true
	inactive(u)
	row := {
		"user": u.user,
		"password_enabled": u.password_enabled,
		"password_last_used": u.password_last_used,
		"password_last_used_days": u.password_last_used_days,
	}
]
