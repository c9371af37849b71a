# Host unit test of the speculative-execution policy (detection, L1TF-safe
# addresses, options, boot line), with the validator's L1TF rule.
$(eval $(call host_unit_test,spec_ctrl,tests/unit/test_spec_ctrl.c hypervisor/arch/x86/spec_ctrl_policy.c hypervisor/arch/x86/pv/pt_validate.c hypervisor/common/frame_table.c))
