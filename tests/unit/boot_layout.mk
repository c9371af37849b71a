# Host unit test: test_boot_layout (ASan/UBSan). Built from the test and the
# pure hypervisor sources it covers.
TEST_BOOT_LAYOUT_SRCS := tests/unit/test_boot_layout.c hypervisor/common/elf_image.c hypervisor/arch/x86/pv/boot_layout.c hypervisor/arch/x86/pv/boot_pagetables.c
TEST_BOOT_LAYOUT := $(BUILD)/tests/unit/test_boot_layout

all: $(TEST_BOOT_LAYOUT)

$(TEST_BOOT_LAYOUT): $(TEST_BOOT_LAYOUT_SRCS) tests/unit/hv_unit.h $(wildcard hypervisor/include/lamina/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -Ipv-abi/include -Itests/unit \
		-o $@ $(TEST_BOOT_LAYOUT_SRCS)
