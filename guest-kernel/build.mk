# guest-kernel: the bundled PV guest OS, linked against libpv.

GUEST_KERNEL_ELF  := $(BUILD)/guest-kernel/guest-kernel.elf
GUEST_KERNEL_SRCS := $(sort $(wildcard guest-kernel/*.c))
GUEST_KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(GUEST_KERNEL_SRCS))

all: $(GUEST_KERNEL_ELF)

$(GUEST_KERNEL_ELF): $(GUEST_KERNEL_OBJS) $(LIBPV) $(GUEST_LDS)
	$(call pv_guest_link,$@,$(GUEST_KERNEL_OBJS))

$(BUILD)/guest-kernel/%.c.o: guest-kernel/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

-include $(GUEST_KERNEL_OBJS:.o=.d)
