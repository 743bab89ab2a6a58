# METADATA
# title: Users that have not signed in to the console in the past 90 days
# description: >-
#   Users with a console password last used 90 days or more before the evaluation time, oldest sign-in first, with the
#   age of the last sign-in in days. A never-used password has no last use and is not listed (ask
#   table-03-console-never-used for those).
# custom:
#   source: seeds/000 Steampipe aws_iam_credential_report table, examples
#   question: List users that have NOT logged into the console in the past 90 days
#   sql: >-
#     select user_name, password_last_used, age(password_last_used) from aws_iam_credential_report
#     where password_enabled and password_last_used <= (current_date - interval '90' day) order by password_last_used;
package credcheck.queries.table_02_console_not_used_90_days

# sort() orders objects by their sorted keys' values, so password_last_used (the first key alphabetically) sorts the
# rows, like the SQL's order by.
result := sort([row |
	some u in input.users
	u.password_enabled == true
	u.password_last_used_days >= 90
	row := {
		"user": u.user,
		"password_last_used": u.password_last_used,
		"password_last_used_days": u.password_last_used_days,
	}
])
