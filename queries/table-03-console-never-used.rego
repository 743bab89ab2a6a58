# METADATA
# title: Users with console access that never signed in to the console
# description: Users whose console password exists but has never been used (password_last_used is N/A).
# custom:
#   source: seeds/000 Steampipe aws_iam_credential_report table, examples
#   question: List users with console access that have never logged in to the console
#   sql: select user_name from aws_iam_credential_report where password_status = 'never_used';
package credcheck.queries.table_03_console_never_used

result := [u.user |
	some u in input.users
	u.password_last_used_status == "never_used"
]
