# Lamina — top-level build.
#
#   make            build the hypervisor, libpv, the guest kernel, test guests, unit tests
#   make run        install missing packages, build, boot the default system in QEMU
#                   (the guest kernel as domain 0 and as domain 1)
#   make test       install missing packages, build, run every test
#   make debug      boot with QEMU waiting for gdb on :1234 (see docs/debugging.md)
#   make fuzz       the long hypercall-fuzzer run: SEEDS="1 2 3 4" CALLS=1000000
#                   (HOLES=0 steers around no known hole; see docs/testing.md)
#   make clean      remove build/
#
# Each component keeps its rules in a build.mk beside its sources.

BUILD      ?= build
CC         ?= gcc
LD         ?= ld
OBJCOPY    ?= objcopy
PYTHON     ?= python3

# Freestanding x86-64 code (hypervisor, libpv, guests): no SSE in the kernel
# paths, no red zone (interrupts push onto the current stack), frame pointers
# kept so fault reports can print a backtrace.
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
	-fno-builtin -fno-stack-protector -fno-omit-frame-pointer \
	-mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-common
KERNEL_ASFLAGS := -g -D__ASSEMBLY__

# Host code (unit tests) runs under ASan and UBSan.
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all

ABI_INC := -Ipv-abi/include

.PHONY: all run test debug clean deps bench fuzz
all:

include pv-abi/build.mk
include hypervisor/build.mk
include guest-kernel/build.mk
include tests/build.mk
include tools/bench/build.mk

# Default system: the guest kernel twice, as domain 0 and as domain 1
# (unprivileged, printing through its PV console ring); the run ends when
# both have powered off.
RUN_ARGS ?=
RUN_CMDLINE ?= domain1=name=guest,mem=64M
run: deps
	@$(MAKE) --no-print-directory all
	tools/run --hypervisor $(HYPERVISOR_ELF) --cmdline "$(RUN_CMDLINE)" \
		--module "$(GUEST_KERNEL_ELF) console=hvc0" \
		--module "$(GUEST_KERNEL_ELF) console=hvc0" \
		--timeout 0 $(RUN_ARGS)

debug: deps
	@$(MAKE) --no-print-directory all
	tools/run --hypervisor $(HYPERVISOR_ELF) --module "$(GUEST_KERNEL_ELF) console=hvc0" \
		--accel tcg --timeout 0 --gdb $(RUN_ARGS)

test: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tests/run_tests.py --build $(BUILD)

SEEDS ?= 1 2 3 4
CALLS ?= 1000000
HOLES ?=
fuzz: deps
	@$(MAKE) --no-print-directory all
	FUZZ_SEEDS="$(SEEDS)" FUZZ_CALLS="$(CALLS)" FUZZ_HOLES="$(HOLES)" \
		$(PYTHON) tests/run_tests.py --build $(BUILD) \
		--cases tests/system/fuzz_long.py --only fuzz-long

bench: deps
	@$(MAKE) --no-print-directory bench-run

deps:
	@tools/install-deps

clean:
	rm -rf $(BUILD)
