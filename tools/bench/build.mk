# make bench: the hypercall benchmark (tools/bench, docs/benchmarks.md).
#
#   $(BENCH_GUEST)   PV guest timing each hypercall (same binary on Lamina
#                    and on Xen 4.17)
#   $(BENCH_NATIVE)  tiny multiboot kernel measuring the native floors
#   $(BENCH_HOST)    host program: the host's raw syscall round trip and
#                    TSC calibration, for wall-clock mode
#   bench-build      builds them (also part of `all`, for the smoke test)
#   bench-run        boots native, Lamina and Xen under TCG icount and
#                    prints the table (tools/bench/run_bench.py)
#   $(BUILD)/tests/unit/test_bench_harness
#                    unit-test hook: runs tools/bench/selftest.py (the
#                    wall-clock statistics, parsing, formatting, TSC
#                    calibration and the kvm_pvm refusal) in `make test`
# `make bench ACCEL=kvm` adds wall-clock KVM timing (hardware KVM only);
# `make bench BENCH_ARGS=--simulate-kvm` runs that path under TCG.

BENCH_DIR    := $(BUILD)/bench
BENCH_GUEST  := $(BENCH_DIR)/bench-guest.elf
BENCH_NATIVE := $(BENCH_DIR)/bench-native.elf
BENCH_HOST   := $(BENCH_DIR)/bench-host
BENCH_SELFTEST := $(BUILD)/tests/unit/test_bench_harness
# Xen 4.17, downloaded and unpacked into the build tree (tools/fetch-xen).
BENCH_XEN_DIR := $(BUILD)/xen
BENCH_XEN_GZ ?= $(BENCH_XEN_DIR)/root/boot/xen-4.17-amd64.gz
ACCEL        ?= tcg

BENCH_GUEST_SRCS := $(wildcard tools/bench/guest/*.c tools/bench/guest/*.S)
BENCH_GUEST_OBJS := $(patsubst tools/bench/guest/%,$(BENCH_DIR)/guest/%.o,\
	$(BENCH_GUEST_SRCS))

all: $(BENCH_GUEST) $(BENCH_NATIVE) $(BENCH_HOST) $(BENCH_SELFTEST)

$(BENCH_DIR)/guest/%.c.o: tools/bench/guest/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BENCH_DIR)/guest/%.S.o: tools/bench/guest/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(BENCH_GUEST): $(BENCH_GUEST_OBJS) $(LIBPV) $(GUEST_LDS)
	$(call pv_guest_link,$@,$(BENCH_GUEST_OBJS))

# The native kernel: 32-bit multiboot entry, then 64-bit code at 1 MiB.
BENCH_NATIVE_CFLAGS := $(KERNEL_CFLAGS) -mcmodel=small -fno-pie -fno-pic
BENCH_NATIVE_SRCS := $(wildcard tools/bench/native/*.c tools/bench/native/*.S)
BENCH_NATIVE_OBJS := $(patsubst tools/bench/native/%,$(BENCH_DIR)/native/%.o,\
	$(BENCH_NATIVE_SRCS))

$(BENCH_DIR)/native/%.c.o: tools/bench/native/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_NATIVE_CFLAGS) -MMD -MP -c $< -o $@

$(BENCH_DIR)/native/%.S.o: tools/bench/native/%.S
	@mkdir -p $(dir $@)
	$(CC) $(KERNEL_ASFLAGS) -MMD -MP -c $< -o $@

$(BENCH_NATIVE): $(BENCH_NATIVE_OBJS) tools/bench/native/native.ld
	@mkdir -p $(dir $@)
	$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		--no-warn-rwx-segments -T tools/bench/native/native.ld \
		-o $@ $(BENCH_NATIVE_OBJS)

# The host program: optimized, no sanitizers (it times the host itself).
BENCH_HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror

$(BENCH_HOST): tools/bench/host/host_bench.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_HOST_CFLAGS) -o $@ $<

# A wrapper the unit-test runner finds among $(BUILD)/tests/unit/test_*.
$(BENCH_SELFTEST): tools/bench/build.mk $(BENCH_HOST)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec %s %s --host-bench %s\n' "$(PYTHON)" \
		"$(CURDIR)/tools/bench/selftest.py" "$(abspath $(BENCH_HOST))" > $@
	chmod +x $@

bench-build: $(HYPERVISOR_ELF) $(BENCH_GUEST) $(BENCH_NATIVE) $(BENCH_HOST)

bench-run: bench-build
	@tools/fetch-xen $(BENCH_XEN_DIR) >/dev/null || \
		echo "bench: could not fetch Xen 4.17; no Xen column" >&2
	$(PYTHON) tools/bench/run_bench.py --build $(BUILD) --accel $(ACCEL) \
		--hypervisor $(HYPERVISOR_ELF) --guest $(BENCH_GUEST) \
		--native $(BENCH_NATIVE) --host-bench $(BENCH_HOST) \
		--xen-gz $(BENCH_XEN_GZ) $(BENCH_ARGS)

.PHONY: bench-build bench-run

-include $(BENCH_GUEST_OBJS:.o=.d) $(BENCH_NATIVE_OBJS:.o=.d)
