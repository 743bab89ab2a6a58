# METADATA
# title: Root user uses a hardware MFA device
# description: |
#   The credential report says whether root has MFA (`mfa_active`) but not which kind. This check
#   needs the MFA device list (`input.mfa_devices`, collected by a fetch with
#   `iam:ListVirtualMFADevices`). Without it the result is `skip`, with the reason. With it: fails
#   when root has MFA and a virtual MFA device is assigned to root (device user `<root_account>` or
#   the root ARN, or the serial `arn:aws:iam::<account>:mfa/root-account-mfa-device`); passes when
#   root has MFA and no virtual device is assigned to it. A root user without MFA
#   (`mfa_active` false) is left to root-mfa (no result here); when `mfa_active` is unknown the
#   result is `skip`.
# related_resources:
#   - ref: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_physical.html#enable-hw-mfa-for-root
#     description: Enable a hardware MFA device for the root user
#   - ref: https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListVirtualMFADevices.html
#     description: ListVirtualMFADevices
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-6
#     description: Security Hub IAM.6
# custom:
#   id: root-hardware-mfa
#   severity: critical
#   enabled_by_default: true
#   parameters: []
#   remediation: |
#     Find the virtual device assigned to root:
#       aws iam list-virtual-mfa-devices --assignment-status Assigned \
#         --query "VirtualMFADevices[?User.Arn=='arn:aws:iam::<account-id>:root']"
#     Sign in as the root user, register a hardware TOTP token or a FIDO security key under
#     "Security credentials" > "Multi-factor authentication (MFA)", then remove the virtual device there.
#     Afterwards delete the unassigned virtual device:
#       aws iam delete-virtual-mfa-device --serial-number arn:aws:iam::<account-id>:mfa/root-account-mfa-device
#   frameworks:
#     cis-1.2: "1.14"
#     cis-1.3: "1.6"
#     cis-1.4: "1.6"
#     cis-1.5: "1.6"
#     cis-2.0: "1.6"
#     cis-3.0: "1.6"
#     cis-4.0: "1.6"
#     cis-5.0: "1.5"
#     cis-6.0: "2.5"
#     cis-7.0: "2.6"
#     securityhub: IAM.6
#     aws-config: root-account-hardware-mfa-enabled
#   peers:
#     prowler: iam_root_hardware_mfa_enabled
#     steampipe: iam_root_user_hardware_mfa_enabled
package credcheck.checks.root_hardware_mfa

import data.credcheck.lib

skip contains result if {
	input.mfa_devices == null
	some u in input.users
	lib.is_root(u)
	result := lib.result(u, null, "mfa_active", lib.join([
		"MFA device data not available: fetch with iam:ListVirtualMFADevices permission",
		" to decide whether root's MFA device is virtual or hardware",
	]))
}

skip contains result if {
	is_array(input.mfa_devices)
	some u in input.users
	lib.is_root(u)
	not is_boolean(object.get(u, "mfa_active", null))
	result := lib.result(u, null, "mfa_active", "cannot decide: the root row's mfa_active is not true or false")
}

deny contains result if {
	is_array(input.mfa_devices)
	some u in input.users
	lib.is_root(u)
	u.mfa_active == true
	some device in input.mfa_devices
	lib.root_virtual_mfa_device(device)
	result := lib.result(u, null, "mfa_active", lib.join([
		"root user's MFA device is virtual (",
		device.serial_number,
		"), not a hardware device",
	]))
}
