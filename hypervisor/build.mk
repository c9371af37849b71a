# The hypervisor: a freestanding ELF64 image that QEMU's multiboot loader
# boots directly (-kernel), linked at 0xFFFF82D080200000.

HV_DIR := hypervisor
HYPERVISOR_ELF := $(BUILD)/hypervisor/lamina.elf

HV_SRCS := $(wildcard $(HV_DIR)/common/*.c) $(wildcard $(HV_DIR)/arch/x86/*.c) \
	$(wildcard $(HV_DIR)/arch/x86/pv/*.c)
HV_ASMS := $(wildcard $(HV_DIR)/arch/x86/*.S)
HV_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(HV_SRCS)) $(patsubst %.S,$(BUILD)/%.o,$(HV_ASMS))

HV_CHANGESET := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Position-independent code (RIP-relative addressing) so the image can live
# in the hypervisor's slots, far from the +-2 GiB the kernel code model needs.
HV_CFLAGS := $(KERNEL_CFLAGS) -fpie -fvisibility=hidden -mcmodel=small \
	-include $(HV_DIR)/include/lamina/visibility.h \
	-I$(HV_DIR)/include $(ABI_INC)

all: $(HYPERVISOR_ELF)

# Only xen_version's changeset string depends on the commit.
$(BUILD)/$(HV_DIR)/common/version.o: HV_CFLAGS += -DLAMINA_CHANGESET='"$(HV_CHANGESET)"'
$(BUILD)/$(HV_DIR)/common/version.o: .FORCE
.PHONY: .FORCE

$(BUILD)/$(HV_DIR)/%.o: $(HV_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/$(HV_DIR)/%.o: $(HV_DIR)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(HV_CFLAGS) $(KERNEL_ASFLAGS) -MMD -MP -c $< -o $@

$(HYPERVISOR_ELF): $(HV_OBJS) $(HV_DIR)/arch/x86/lamina.ld
	$(LD) -nostdlib -static -no-pie -z max-page-size=4096 -z noexecstack \
		--no-warn-rwx-segments -T $(HV_DIR)/arch/x86/lamina.ld -o $@ $(HV_OBJS)

-include $(HV_OBJS:.o=.d)
