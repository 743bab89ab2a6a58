# METADATA
# title: Does the root account have MFA enabled?
# description: The root user's row with its mfa_active flag.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 3
#   question: "#3 Does the root account have multi-factor authentication (MFA) enabled?"
#   sql: select user_name, mfa_active from aws_iam_credential_report where user_name = '<root_account>';
package credcheck.queries.top10_03_root_mfa

result := [{"user": u.user, "mfa_active": u.mfa_active} |
	some u in input.users
	u.is_root
]
