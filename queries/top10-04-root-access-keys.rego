# METADATA
# title: Does the root account have access keys enabled?
# description: The root user's two access key flags; root should never have an active key.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 4
#   question: "#4 Does the root account have access keys enabled?"
#   sql: >-
#     select user_name, access_key_1_active, access_key_2_active from aws_iam_credential_report
#     where user_name = '<root_account>';
package credcheck.queries.top10_04_root_access_keys

result := [row |
	some u in input.users
	u.is_root
	row := {
		"user": u.user,
		"access_key_1_active": u.access_key_1_active,
		"access_key_2_active": u.access_key_2_active,
	}
]
