# Host unit test for the PV instruction decoder (ASan + UBSan).
INSN_DECODE_TEST := $(BUILD)/tests/unit/test_insn_decode
INSN_DECODE_SRCS := tests/unit/test_insn_decode.c hypervisor/arch/x86/pv/insn_decode.c

$(INSN_DECODE_TEST): $(INSN_DECODE_SRCS) hypervisor/include/lamina/insn_decode.h \
		hypervisor/include/lamina/lib.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -Ipv-abi/include -o $@ $(INSN_DECODE_SRCS)

all: $(INSN_DECODE_TEST)
