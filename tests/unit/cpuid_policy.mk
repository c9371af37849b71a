# Host unit test for the PV CPUID policy (ASan + UBSan).
CPUID_POLICY_TEST := $(BUILD)/tests/unit/test_cpuid_policy
CPUID_POLICY_SRCS := tests/unit/test_cpuid_policy.c hypervisor/arch/x86/pv/cpuid_policy.c

$(CPUID_POLICY_TEST): $(CPUID_POLICY_SRCS) hypervisor/include/lamina/cpuid_policy.h \
		hypervisor/include/lamina/lib.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -Ipv-abi/include -o $@ $(CPUID_POLICY_SRCS)

all: $(CPUID_POLICY_TEST)
