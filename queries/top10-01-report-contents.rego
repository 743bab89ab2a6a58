# METADATA
# title: Are you running your credential report? (its contents)
# description: >-
#   Every row of the report with the columns the post shows, and when the report was generated (known when credcheck
#   fetched it; a CSV on its own does not say).
# custom:
#   source: seeds/001 Top 10 Checks - IAM Credential Report, check 1
#   question: "#1 Are you running your credential report?"
#   sql: select * from aws_iam_credential_report;
package credcheck.queries.top10_01_report_contents

result := [{
	"user": u.user,
	"arn": u.arn,
	"user_creation_time": u.user_creation_time,
	"generated_time": input.report.generated_time,
	"access_key_1_active": u.access_key_1_active,
	"access_key_1_last_rotated": u.access_key_1_last_rotated,
	"access_key_1_last_used_date": u.access_key_1_last_used_date,
	"access_key_1_last_used_region": u.access_key_1_last_used_region,
	"access_key_1_last_used_service": u.access_key_1_last_used_service,
	"access_key_2_active": u.access_key_2_active,
	"access_key_2_last_rotated": u.access_key_2_last_rotated,
	"access_key_2_last_used_date": u.access_key_2_last_used_date,
} |
	some u in input.users
]
