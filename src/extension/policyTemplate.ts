/**
 * The "New custom policy" template: a working check with METADATA (so it gets an id, a title and a severity) and a
 * test beside it, following the same contract as the bundled checks (`deny` results with msg, user and field).
 */
export function policyTemplate(name: string): string {
  return `# METADATA
# title: Console users signed in within 30 days
# description: |
#   An example custom check: replace the condition with your own. Each result names the user and the
#   column (field) it is about, so the finding lands on that cell of the report.
# custom:
#   id: custom-${name.replace(/_/g, '-')}
#   severity: medium
package custom.${name}

max_days := 30

deny contains result if {
	some u in input.users
	not u.is_root
	u.password_enabled == true
	u.password_last_used_days > max_days
	result := {
		"msg": sprintf("user %s last signed in to the console %d days ago (over %d)", [u.user, floor(u.password_last_used_days), max_days]),
		"user": u.user,
		"field": "password_last_used",
	}
}
`;
}

export function policyTestTemplate(name: string): string {
  return `package custom.${name}_test

import data.custom.${name}

test_old_sign_in_is_reported if {
	count(${name}.deny) == 1 with input as {"users": [{"user": "alice", "is_root": false, "password_enabled": true, "password_last_used_days": 40}]}
}

test_recent_sign_in_passes if {
	count(${name}.deny) == 0 with input as {"users": [{"user": "bob", "is_root": false, "password_enabled": true, "password_last_used_days": 3}]}
}
`;
}
