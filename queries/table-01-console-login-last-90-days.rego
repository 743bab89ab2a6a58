# METADATA
# title: Users that signed in to the console in the past 90 days
# description: >-
#   Users with a console password whose password was last used less than 90 days before the evaluation time.
#   A password that was never used has no age (null), and null sorts below every number in Rego, so the query asks
#   for a used password first instead of trusting `password_last_used_days < 90` alone.
# custom:
#   source: seeds/000 Steampipe aws_iam_credential_report table, examples
#   question: List users that have logged into the console in the past 90 days
#   sql: >-
#     select user_name from aws_iam_credential_report
#     where password_enabled and password_last_used > (current_date - interval '90' day);
package credcheck.queries.table_01_console_login_last_90_days

result := [u.user |
	some u in input.users
	u.password_enabled == true
	u.password_last_used_status == "used"
	u.password_last_used_days < 90
]
