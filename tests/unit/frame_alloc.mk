# Host unit test: test_frame_alloc (ASan/UBSan). Built from the test and the
# pure hypervisor sources it covers.
TEST_FRAME_ALLOC_SRCS := tests/unit/test_frame_alloc.c hypervisor/common/frame_alloc.c
TEST_FRAME_ALLOC := $(BUILD)/tests/unit/test_frame_alloc

all: $(TEST_FRAME_ALLOC)

$(TEST_FRAME_ALLOC): $(TEST_FRAME_ALLOC_SRCS) tests/unit/hv_unit.h $(wildcard hypervisor/include/lamina/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -Ipv-abi/include -Itests/unit \
		-o $@ $(TEST_FRAME_ALLOC_SRCS)
