# METADATA
# title: No access keys set up with a console user
# description: |
#   For each active access key (`access_key_N_active` true) of an IAM user (any row except the root
#   row) whose `password_enabled` is true and whose `access_key_N_last_used_date` is not a time
#   (`N/A`: never used): fails when the key's `access_key_N_last_rotated` is within
#   `initialKeySetupSeconds` seconds of `user_creation_time` (|difference| <= S, compared in whole
#   milliseconds), i.e. the key was created together with the user, as the console wizard used to
#   offer; otherwise warns (a console user holding a key that was never used, the CIS CLI audit).
#   When either time is missing the result is a warning, since the setup time cannot be compared.
#   Rotating a key erases the signal (its `last_rotated` moves), so a pass is no proof.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
#     description: Managing access keys for IAM users
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
#     description: CIS AWS Foundations Benchmark
# custom:
#   id: initial-access-key
#   severity: low
#   enabled_by_default: true
#   parameters:
#     - name: initialKeySetupSeconds
#       default: 10
#       description: "Seconds: a never-used key created within this many seconds of its user fails; later keys warn."
#   remediation: |
#     A console user rarely needs a long-lived key; delete keys that were never used:
#       aws iam list-access-keys --user-name <user>
#       aws iam delete-access-key --user-name <user> --access-key-id <AKIA...>
#     Create keys only when a workload needs them, and prefer roles or IAM Identity Center.
#   frameworks:
#     cis-1.2: "1.21"
#     cis-1.3: "1.11"
#     cis-1.4: "1.11"
#     cis-1.5: "1.11"
#     cis-2.0: "1.11"
#     cis-3.0: "1.11"
#     cis-4.0: "1.11"
#     cis-5.0: "1.10"
#     cis-6.0: "2.10"
#   peers:
#     prowler: iam_user_no_setup_initial_access_key
#     steampipe: iam_user_access_keys_and_password_at_setup
package credcheck.checks.initial_access_key

import data.credcheck.lib

deny contains result if {
	some u in input.users
	u.password_enabled == true
	some key in candidate_keys(u)
	n := key.n
	gap := lib.key_setup_gap_ms(u, n)
	abs(gap) <= limit * 1000
	result := lib.result(u, n, key.last_rotated, lib.join([
		"access key ", key.text, " was created ", gap_text(gap), " the user (", lib.date(u.user_creation_time),
		") and never used, and user ", u.user, " has a console password (threshold: within ", lib.number_text(limit), " s)",
	]))
}

warn contains result if {
	some u in input.users
	u.password_enabled == true
	some key in candidate_keys(u)
	n := key.n
	not created_with_user(u, n, limit)
	result := lib.result(u, n, key.last_used_date, lib.join([
		"access key ", key.text, " was never used", created_text(u, n),
		", and user ", u.user, " has a console password",
	]))
}

# A complete rule, not an expression in the rule body: opa-wasm memoises rules once per evaluation but evaluates a
# function call again for every user and key.
limit := lib.param("initialKeySetupSeconds")

# The never-used active keys (lib.access_keys entries) of an IAM user. Callers test `u.password_enabled == true`
# first: one lookup rejects most rows under wasm, before this function call; the root test comes last for the same
# reason (see lib.is_iam_user).
candidate_keys(u) := [key |
	some key in lib.access_keys
	lib.access_key_active(u, key.n) == true
	not is_number(lib.access_key_last_used_date_days(u, key.n))
	lib.is_iam_user(u)
]

created_with_user(u, n, limit) if abs(lib.key_setup_gap_ms(u, n)) <= limit * 1000

gap_text(ms) := lib.join([lib.number_text(ms / 1000), " s after"]) if {
	ms > 0
} else := lib.join([lib.number_text((0 - ms) / 1000), " s before"]) if {
	ms < 0
} else := "at the same time as"

created_text(u, n) := lib.join([
	"; created ",
	lib.date(lib.key_value(u, n, "last_rotated")),
	", ",
	lib.duration_text(lib.key_setup_gap_ms(u, n)),
	" after the user",
]) if {
	lib.key_setup_gap_ms(u, n) > 0
} else := lib.join([
	"; created ",
	lib.date(lib.key_value(u, n, "last_rotated")),
	", before the user's creation ",
	lib.date(u.user_creation_time),
]) if {
	lib.key_setup_gap_ms(u, n) < 0
} else := "; its creation cannot be compared with the user's (a time is missing)"
