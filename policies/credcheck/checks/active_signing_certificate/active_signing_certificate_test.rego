package credcheck.checks.active_signing_certificate_test

import data.credcheck.checks.active_signing_certificate as check
import data.credcheck.lib.testing as t

test_active_certificate_is_info if {
	row := t.user("alice", {"cert_1_active": true, "cert_1_last_rotated": "2024-01-01T00:00:00Z", "cert_1_last_rotated_days": 152})
	check.info == {{
		"msg": "user alice has an active signing certificate 1, last rotated 2024-01-01 (152 days before the evaluation time)",
		"user": "alice",
		"line": 2,
		"key": null,
		"field": "cert_1_active",
	}} with input as t.input_with([row])
}

test_certificate_2_reported_when_1_inactive if {
	row := t.user("alice", {"cert_1_active": false, "cert_2_active": true})
	some r in check.info with input as t.input_with([row])
	r.field == "cert_2_active"
	r.msg == "user alice has an active signing certificate 2"
}

test_root_certificate_reported if {
	some r in check.info with input as t.input_with([t.root({"cert_1_active": true})])
	r.msg == "root user has an active signing certificate 1"
}

test_inactive_or_unknown_certificates_not_reported if {
	row := t.user("a", {"cert_1_active": false, "cert_2_active": null, "cert_1_last_rotated": "2024-01-01T00:00:00Z", "cert_1_last_rotated_days": 152})
	count(check.info) == 0 with input as t.input_with([row])
}

test_two_certificates_two_results if {
	row := t.user("a", {"cert_1_active": true, "cert_2_active": true})
	{r.field | some r in check.info} == {"cert_1_active", "cert_2_active"} with input as t.input_with([row])
}
