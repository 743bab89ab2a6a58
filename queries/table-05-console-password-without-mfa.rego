# METADATA
# title: Users with a console password and no MFA
# description: Users that can sign in to the console with a password but have no MFA device enabled.
# custom:
#   source: seeds/000 Steampipe aws_iam_credential_report table, examples
#   question: List users that have a console password but do not have MFA enabled
#   sql: >-
#     select user_name, mfa_active, password_enabled from aws_iam_credential_report
#     where password_enabled and not mfa_active;
package credcheck.queries.table_05_console_password_without_mfa

result := [{"user": u.user, "mfa_active": u.mfa_active, "password_enabled": u.password_enabled} |
	some u in input.users
	u.password_enabled == true
	u.mfa_active == false
]
