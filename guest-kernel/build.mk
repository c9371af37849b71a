# guest-kernel: the bundled PV guest OS, linked against libpv, with its user
# programs (guest-kernel/user/) built as flat binaries and embedded in the
# image by user_blobs.S.

GUEST_KERNEL_ELF  := $(BUILD)/guest-kernel/guest-kernel.elf
GUEST_KERNEL_SRCS := $(sort $(wildcard guest-kernel/*.c) $(wildcard guest-kernel/*.S))
GUEST_KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(GUEST_KERNEL_SRCS))

# User programs: main() in user/<name>.c, plus crt0 and ulib.
GK_USER_BUILD := $(BUILD)/guest-kernel/user
GK_USER_PROGS := ping pong peek_kernel peek_other poke_m2p priv_insn \
	spin yielder sleeper
GK_USER_BINS  := $(patsubst %,$(GK_USER_BUILD)/%.bin,$(GK_USER_PROGS))
GK_USER_LIB   := $(GK_USER_BUILD)/crt0.S.o $(GK_USER_BUILD)/ulib.c.o
GK_USER_LDS   := guest-kernel/user/user.ld
# Ordinary static user code at a low address: no kernel code model, no PIE;
# no SSE, as the kernel does not switch FPU state between processes.
GK_USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding \
	-fno-builtin -fno-stack-protector -fno-pic -fno-pie -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fcf-protection=none -fno-common \
	-fno-tree-loop-distribute-patterns -Iguest-kernel/user

all: $(GUEST_KERNEL_ELF)

$(GUEST_KERNEL_ELF): $(GUEST_KERNEL_OBJS) $(LIBPV) $(GUEST_LDS)
	$(call pv_guest_link,$@,$(GUEST_KERNEL_OBJS))

$(BUILD)/guest-kernel/%.c.o: guest-kernel/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guest-kernel/%.S.o: guest-kernel/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -I$(GK_USER_BUILD) -MMD -MP -c $< -o $@

# .incbin is invisible to -MMD.
$(BUILD)/guest-kernel/user_blobs.S.o: $(GK_USER_BINS)

$(GK_USER_BUILD)/%.c.o: guest-kernel/user/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GK_USER_CFLAGS) -MMD -MP -c $< -o $@

$(GK_USER_BUILD)/%.S.o: guest-kernel/user/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GK_USER_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(GK_USER_BUILD)/%.elf: $(GK_USER_BUILD)/%.c.o $(GK_USER_LIB) $(GK_USER_LDS)
	$(LD) -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
		-T $(GK_USER_LDS) -o $@ $(GK_USER_LIB) $<

$(GK_USER_BUILD)/%.bin: $(GK_USER_BUILD)/%.elf
	$(OBJCOPY) -O binary $< $@

# Keep the intermediate objects and ELF files (handy with objdump).
.SECONDARY: $(patsubst %,$(GK_USER_BUILD)/%.elf,$(GK_USER_PROGS)) \
	$(patsubst %,$(GK_USER_BUILD)/%.c.o,$(GK_USER_PROGS))

-include $(GUEST_KERNEL_OBJS:.o=.d) $(wildcard $(GK_USER_BUILD)/*.d)
