/**
 * The "New custom policy" template: a working check with METADATA (so it gets an id, a title and a severity) and a
 * test beside it, following the same contract as the bundled checks (`deny` results with msg, user and field).
 * It finds something on the bundled sample (darryl_philbin's access key 1 was never used) whatever the evaluation
 * time, so a new author sees a finding land on a cell at once, and its test passes as generated.
 */
export function policyTemplate(name: string): string {
  return `# METADATA
# title: Active access keys never used
# description: |
#   An example custom check: an access key that is active but was never used, a week or more after it was
#   created, is a credential nobody needs. Replace the conditions with your own. Each result names the user and
#   the column (field) it is about, so the finding lands on that cell of the report.
# custom:
#   id: custom-${name.replace(/_/g, '-')}
#   severity: medium
package custom.${name}

# Writing your own condition: type \`u.\` and press Ctrl+Space for the report's columns with their meaning (hover a
# column or a builtin for its documentation); "IAM: Show policy input" shows the document this policy reads.
# The test beside this file (${name}_test.rego) runs from the Testing view, or with \`opa test\` on this folder.

max_unused_days := 7

deny contains never_used(u, "access_key_1", u.access_key_1_last_rotated_days) if {
	some u in input.users
	u.access_key_1_active == true
	u.access_key_1_last_used_status == "never_used"
	u.access_key_1_last_rotated_days > max_unused_days
}

deny contains never_used(u, "access_key_2", u.access_key_2_last_rotated_days) if {
	some u in input.users
	u.access_key_2_active == true
	u.access_key_2_last_used_status == "never_used"
	u.access_key_2_last_rotated_days > max_unused_days
}

never_used(u, key, days) := {
	"msg": sprintf("user %s: %s has been active for %d days and was never used", [u.user, key, floor(days)]),
	"user": u.user,
	"field": sprintf("%s_last_used_date", [key]),
}
`;
}

export function policyTestTemplate(name: string): string {
  return `package custom.${name}_test

import data.custom.${name}

# Each test_ rule is one test: the Testing view runs them (as \`opa test\` does) and shows the failing expression.

unused_key := {
	"user": "alice",
	"access_key_1_active": true,
	"access_key_1_last_used_status": "never_used",
	"access_key_1_last_rotated_days": 30,
	"access_key_2_active": false,
	"access_key_2_last_used_status": "no_key",
	"access_key_2_last_rotated_days": null,
}

test_an_old_unused_key_is_reported if {
	findings := ${name}.deny with input as {"users": [unused_key]}
	count(findings) == 1
	some finding in findings
	finding.user == "alice"
	finding.field == "access_key_1_last_used_date"
}

test_a_used_key_passes if {
	used := object.union(unused_key, {"access_key_1_last_used_status": "used"})
	count(${name}.deny) == 0 with input as {"users": [used]}
}

test_a_new_key_gets_a_week if {
	new := object.union(unused_key, {"access_key_1_last_rotated_days": 2})
	count(${name}.deny) == 0 with input as {"users": [new]}
}
`;
}
