# Host unit test: test_frame_table (ASan/UBSan). Built from the test and the
# pure hypervisor sources it covers.
TEST_FRAME_TABLE_SRCS := tests/unit/test_frame_table.c hypervisor/common/frame_table.c
TEST_FRAME_TABLE := $(BUILD)/tests/unit/test_frame_table

all: $(TEST_FRAME_TABLE)

$(TEST_FRAME_TABLE): $(TEST_FRAME_TABLE_SRCS) tests/unit/hv_unit.h $(wildcard hypervisor/include/lamina/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -Ipv-abi/include -Itests/unit \
		-o $@ $(TEST_FRAME_TABLE_SRCS)
