# METADATA
# title: Users with both access keys and console credentials
# description: Users with a console password and at least one active access key; a user should be one or the other.
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 5
#   question: "#5 Are there any users with access keys and console credentials?"
#   sql: >-
#     select user_name, password_enabled, access_key_1_active, access_key_2_active from aws_iam_credential_report
#     where password_enabled and (access_key_1_active or access_key_2_active);
package credcheck.queries.top10_05_console_and_access_keys

result := [row |
	some u in input.users
	u.password_enabled == true
	true in [u.access_key_1_active, u.access_key_2_active]
	row := {
		"user": u.user,
		"password_enabled": u.password_enabled,
		"access_key_1_active": u.access_key_1_active,
		"access_key_2_active": u.access_key_2_active,
	}
]
