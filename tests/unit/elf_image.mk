# Host unit test: test_elf_image (ASan/UBSan). Built from the test and the
# pure hypervisor sources it covers.
TEST_ELF_IMAGE_SRCS := tests/unit/test_elf_image.c hypervisor/common/elf_image.c hypervisor/arch/x86/pv/boot_layout.c
TEST_ELF_IMAGE := $(BUILD)/tests/unit/test_elf_image

all: $(TEST_ELF_IMAGE)

$(TEST_ELF_IMAGE): $(TEST_ELF_IMAGE_SRCS) tests/unit/hv_unit.h $(wildcard hypervisor/include/lamina/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -Ipv-abi/include -Itests/unit \
		-o $@ $(TEST_ELF_IMAGE_SRCS)
