package credcheck.checks.root_hardware_mfa_test

import data.credcheck.checks.root_hardware_mfa as check
import data.credcheck.lib.testing as t

root_virtual := {"serial_number": "arn:aws:iam::123456789012:mfa/root-account-mfa-device", "user": "<root_account>", "type": "virtual"}

alice_virtual := {"serial_number": "arn:aws:iam::123456789012:mfa/alice", "user": "alice", "type": "virtual"}

test_without_device_data_skips_with_reason if {
	check.skip == {{
		"msg": "MFA device data not available: fetch with iam:ListVirtualMFADevices permission to decide whether root's MFA device is virtual or hardware",
		"user": "<root_account>",
		"line": 2,
		"key": null,
		"field": "mfa_active",
	}} with input as t.input_with([t.root({"mfa_active": true})])
	count(check.deny) == 0 with input as t.input_with([t.root({"mfa_active": true})])
}

test_root_with_virtual_device_fails if {
	results := check.deny with input as t.input_with_devices([t.root({"mfa_active": true})], [root_virtual])
	results == {{
		"msg": "root user's MFA device is virtual (arn:aws:iam::123456789012:mfa/root-account-mfa-device), not a hardware device",
		"user": "<root_account>",
		"line": 2,
		"key": null,
		"field": "mfa_active",
	}}
	count(check.skip) == 0 with input as t.input_with_devices([t.root({"mfa_active": true})], [root_virtual])
}

test_root_device_recognised_by_root_arn if {
	device := {"serial_number": "arn:aws:iam::123456789012:mfa/my-phone", "user": "arn:aws:iam::123456789012:root", "type": "virtual"}
	count(check.deny) == 1 with input as t.input_with_devices([t.root({"mfa_active": true})], [device])
}

test_root_device_recognised_by_serial_without_user if {
	device := {"serial_number": "arn:aws:iam::123456789012:mfa/root-account-mfa-device", "user": null, "type": "virtual"}
	count(check.deny) == 1 with input as t.input_with_devices([t.root({"mfa_active": true})], [device])
}

test_root_with_mfa_and_no_virtual_device_passes if {
	inp := t.input_with_devices([t.root({"mfa_active": true})], [alice_virtual])
	count(check.deny) == 0 with input as inp
	count(check.skip) == 0 with input as inp
}

test_root_with_mfa_and_empty_device_list_passes if {
	inp := t.input_with_devices([t.root({"mfa_active": true})], [])
	count(check.deny) + count(check.skip) == 0 with input as inp
}

test_hardware_device_listed_for_root_passes if {
	device := {"serial_number": "arn:aws:iam::123456789012:u2f/root/key", "user": "<root_account>", "type": "hardware"}
	count(check.deny) == 0 with input as t.input_with_devices([t.root({"mfa_active": true})], [device])
}

# Root without MFA is root-mfa's finding; this check reports nothing for it.
test_root_without_mfa_is_left_to_root_mfa if {
	inp := t.input_with_devices([t.root({"mfa_active": false})], [root_virtual])
	count(check.deny) + count(check.skip) == 0 with input as inp
}

test_root_with_unknown_mfa_active_skips if {
	inp := t.input_with_devices([t.root({"mfa_active": null})], [root_virtual])
	count(check.deny) == 0 with input as inp
	count(check.skip) == 1 with input as inp
}

test_iam_user_virtual_devices_are_ignored if {
	inp := t.input_with_devices([t.user("alice", {"mfa_active": true}), t.root({"mfa_active": true})], [alice_virtual])
	count(check.deny) == 0 with input as inp
}
