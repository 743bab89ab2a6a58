# METADATA
# title: Root user not used recently
# description: |
#   The root user should be kept for the few tasks that need it. Takes the most recent of the root
#   row's `password_last_used`, `access_key_1_last_used_date` and `access_key_2_last_used_date`
#   (cells that are not times, such as `no_information` or `N/A`, are ignored) and fails when its age
#   is at most `rootRecentUseDays` days (age <= N x 24 h). A root user never used passes. Unlike
#   Prowler (first non-empty field) and Steampipe (inverted comparison for keys), the most recent use
#   of any of the three credentials decides.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html
#     description: Root user best practices
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user_manage_mfa
#     description: AWS account root user
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark
# custom:
#   id: root-recent-use
#   severity: high
#   enabled_by_default: true
#   parameters:
#     - name: rootRecentUseDays
#       default: 90
#       description: "Days: root use at most this old fails (age <= N x 24 h)."
#   remediation: |
#     Confirm the use was an authorised break-glass task (CloudTrail: events with userIdentity.type Root):
#       aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root --max-results 50
#     Create IAM roles or IAM Identity Center users for daily work, delete root access keys
#     (see root-access-key), and keep the root password and MFA device locked away.
#   frameworks:
#     cis-1.2: "1.1"
#     cis-1.3: "1.7"
#     cis-1.4: "1.7"
#     cis-1.5: "1.7"
#     cis-2.0: "1.7"
#     cis-3.0: "1.7"
#     cis-4.0: "1.7"
#     cis-5.0: "1.6"
#     cis-6.0: "2.6"
#     cis-7.0: "2.7"
#   peers:
#     prowler: iam_avoid_root_usage
#     steampipe: iam_root_last_used
#     cloudsploit: rootAccountInUse
package credcheck.checks.root_recent_use

import data.credcheck.lib

# The three ways root can be used, in the order ties are broken.
use_columns := ["password_last_used", "access_key_1_last_used_date", "access_key_2_last_used_date"]

deny contains result if {
	some u in input.users
	lib.is_root(u)
	threshold := lib.param("rootRecentUseDays")
	ages := [lib.days(u, column) | some column in use_columns; lib.is_time(u, column)]
	newest := min(ages)
	newest <= threshold
	column := [c | some c in use_columns; lib.days(u, c) == newest][0]
	result := lib.result(u, key_by_column[column], column, lib.join([
		"root user ", credential_text(key_by_column[column], u), " ", lib.date(lib.time_text(u, column)), ", ",
		lib.relative_text(newest, threshold), " (threshold: used within ", lib.day_count(threshold), ")",
	]))
}

key_by_column := {"password_last_used": null, "access_key_1_last_used_date": 1, "access_key_2_last_used_date": 2}

credential_text(null, _) := "signed in with the password on"

credential_text(n, u) := lib.join(["used access key ", format_int(n, 10), lib.usage_place(u, n), " on"]) if is_number(n)
