# Unit tests of the hypervisor's pure modules (no hardware access).
$(eval $(call host_unit_test,frame_alloc,tests/unit/test_frame_alloc.c hypervisor/common/frame_alloc.c))
$(eval $(call host_unit_test,frame_table,tests/unit/test_frame_table.c hypervisor/common/frame_table.c))
$(eval $(call host_unit_test,elf_image,tests/unit/test_elf_image.c hypervisor/common/elf_image.c hypervisor/arch/x86/pv/boot_layout.c))
$(eval $(call host_unit_test,boot_layout,tests/unit/test_boot_layout.c hypervisor/common/elf_image.c hypervisor/arch/x86/pv/boot_layout.c hypervisor/arch/x86/pv/boot_pagetables.c))
$(eval $(call host_unit_test,insn_decode,tests/unit/test_insn_decode.c hypervisor/arch/x86/pv/insn_decode.c))
$(eval $(call host_unit_test,cpuid_policy,tests/unit/test_cpuid_policy.c hypervisor/arch/x86/pv/cpuid_policy.c))
$(eval $(call host_unit_test,pt_validate,tests/unit/test_pt_validate.c hypervisor/arch/x86/pv/pt_validate.c hypervisor/common/frame_table.c))
