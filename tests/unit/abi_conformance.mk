# test_abi_conformance: Lamina's ABI headers (pv-abi/include/pv) against
# Xen's (/usr/include/xen). See docs/abi-headers.md.
#
#   tools/abi-items lists every constant, macro, type, struct and member the
#   headers define  ->  $(BUILD)/tests/unit/abi/abi_items.h
#   collect.c measures that list three times: against Lamina's headers,
#   against Xen's, and against deliberately broken Lamina headers; main.c
#   compares the measurements.
#
# The headers are also compiled on their own, each one alone, with the
# freestanding kernel flags and as assembly (__ASSEMBLY__).

ABI_TEST_SRC := tests/unit/abi_conformance
ABI_TEST_OUT := $(BUILD)/tests/unit/abi
ABI_TEST_BIN := $(BUILD)/tests/unit/test_abi_conformance
ABI_HEADERS  := $(shell find pv-abi/include/pv -name '*.h' | sort)
ABI_GENERATED := $(ABI_TEST_OUT)/abi_items.h $(ABI_TEST_OUT)/abi_headers.h
ABI_COLLECT_DEPS := $(ABI_TEST_SRC)/collect.c $(ABI_TEST_SRC)/abi_item.h $(ABI_GENERATED) $(ABI_HEADERS)
ABI_COLLECT_CFLAGS := $(HOST_CFLAGS) $(ABI_INC) -I$(ABI_TEST_OUT) -I$(ABI_TEST_SRC)

$(ABI_GENERATED) &: tools/abi-items $(ABI_HEADERS)
	@mkdir -p $(ABI_TEST_OUT)
	$(PYTHON) tools/abi-items --include pv-abi/include --out-dir $(ABI_TEST_OUT) --cc $(CC)

# Each header alone: freestanding C with the kernel flags, and assembly.
$(ABI_TEST_OUT)/headers-standalone.stamp: $(ABI_HEADERS)
	@mkdir -p $(ABI_TEST_OUT)
	@set -e; for h in $(patsubst pv-abi/include/%,%,$(ABI_HEADERS)); do \
		echo "  CHECK   $$h"; \
		echo "#include <$$h>" | $(CC) $(KERNEL_CFLAGS) $(ABI_INC) -fsyntax-only -x c -; \
		echo "#include <$$h>" | $(CC) $(KERNEL_ASFLAGS) $(ABI_INC) -E -x assembler-with-cpp - >/dev/null; \
	done
	@touch $@

$(ABI_TEST_OUT)/collect-lamina.o: $(ABI_COLLECT_DEPS)
	$(CC) $(ABI_COLLECT_CFLAGS) -c $< -o $@

$(ABI_TEST_OUT)/collect-xen.o: $(ABI_COLLECT_DEPS)
	$(CC) $(ABI_COLLECT_CFLAGS) -DABI_SIDE_XEN -c $< -o $@

$(ABI_TEST_OUT)/collect-broken.o: $(ABI_COLLECT_DEPS)
	$(CC) $(ABI_COLLECT_CFLAGS) -DABI_SELFTEST_BREAK -c $< -o $@

$(ABI_TEST_OUT)/main.o: $(ABI_TEST_SRC)/main.c $(ABI_TEST_SRC)/abi_item.h
	@mkdir -p $(ABI_TEST_OUT)
	$(CC) $(HOST_CFLAGS) -I$(ABI_TEST_SRC) -c $< -o $@

$(ABI_TEST_BIN): $(addprefix $(ABI_TEST_OUT)/,main.o collect-lamina.o collect-xen.o collect-broken.o) \
		$(ABI_TEST_OUT)/headers-standalone.stamp
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.o,$^)

all: $(ABI_TEST_BIN)
