# METADATA
# title: Does the root user have MFA enabled?
# description: The root user's row with its mfa_active flag.
# custom:
#   source: seeds/000 Steampipe aws_iam_credential_report table, examples
#   question: Check if root login has MFA enabled
#   sql: select user_name, mfa_active from aws_iam_credential_report where user_name = '<root_account>';
package credcheck.queries.table_06_root_mfa

result := [{"user": u.user, "mfa_active": u.mfa_active} |
	some u in input.users
	u.is_root
]
