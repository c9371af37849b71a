# Tests: each unit test and each test guest brings its own small .mk fragment.
#   tests/unit/<name>.mk    host unit tests, built into $(BUILD)/tests/unit/
#   tests/guests/<name>.mk  PV test guests, built into $(BUILD)/tests/guests/

# $(call host_unit_test,NAME,SOURCES): $(BUILD)/tests/unit/test_NAME, a host
# program under ASan/UBSan built from its test and the pure sources it covers.
define host_unit_test
all: $(BUILD)/tests/unit/test_$(1)
$(BUILD)/tests/unit/test_$(1): $(2) $(wildcard tests/unit/*.h hypervisor/include/lamina/*.h)
	@mkdir -p $$(@D)
	$(CC) $(HOST_CFLAGS) -Ihypervisor/include -Ipv-abi/include -Itests/unit -o $$@ $(2)
endef

include $(sort $(wildcard tests/unit/*.mk))
include $(sort $(wildcard tests/guests/*.mk))
include tests/system/bad_modules.mk

# The host-package check (tests/host_packages.py): a wrapper the unit-test
# runner finds among $(BUILD)/tests/unit/test_*.
all: $(BUILD)/tests/unit/test_host_packages
$(BUILD)/tests/unit/test_host_packages: tests/build.mk
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s\n' "$(PYTHON)" "$(CURDIR)/tests/host_packages.py" > $@
	chmod +x $@

# The arch boundary check (tests/arch_boundary.py) on the hypervisor's
# objects: a wrapper the unit-test runner finds among $(BUILD)/tests/unit/.
all: $(BUILD)/tests/unit/test_arch_boundary
$(BUILD)/tests/unit/test_arch_boundary: tests/build.mk $(HYPERVISOR_ELF)
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec %s %s %s\n' "$(PYTHON)" "$(CURDIR)/tests/arch_boundary.py" "$(abspath $(BUILD))" > $@
	chmod +x $@
