# METADATA
# title: Users without MFA
# description: Every user (root included) whose mfa_active is false.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 8
#   question: "#8 Is MFA enabled for all users?"
#   sql: select user_name, mfa_active from aws_iam_credential_report where not mfa_active;
package credcheck.queries.top10_08_users_without_mfa

result := [{"user": u.user, "mfa_active": u.mfa_active} |
	some u in input.users
	u.mfa_active == false
]
