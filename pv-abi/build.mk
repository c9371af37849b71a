# pv-abi: the ABI headers (pv-abi/include/pv) and libpv, the OS-independent
# guest library every Lamina PV guest links against.
#
#   $(LIBPV)        the static library
#   $(GUEST_LDS)    linker script placing a guest at 0xffffffff80000000
#   $(call pv_guest_link,out.elf,objects)  recipe body linking one guest

LIBPV      := $(BUILD)/libpv/libpv.a
GUEST_LDS  := pv-abi/libpv/guest.ld

# Flags for every piece of PV guest code (libpv, guest kernel, test guests):
# the image runs in the top 2 GiB, hence -mcmodel=kernel (which rules out
# the PIE code Debian's gcc produces by default).
GUEST_CFLAGS  := $(KERNEL_CFLAGS) -mcmodel=kernel -fno-pie -fno-pic $(ABI_INC)
GUEST_ASFLAGS := $(KERNEL_ASFLAGS) $(ABI_INC)

LIBPV_SRCS := $(sort $(wildcard pv-abi/libpv/*.c) $(wildcard pv-abi/libpv/*.S))
LIBPV_OBJS := $(patsubst pv-abi/libpv/%,$(BUILD)/libpv/%.o,$(LIBPV_SRCS))

# The entry code and the ELF notes are referenced by nobody, so the guest
# link names them to pull them out of the archive.
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T $(GUEST_LDS) -u pv_entry -u pv_elf_notes

# pv_guest_link(output, objects): link a PV guest image against libpv.
define pv_guest_link
	@mkdir -p $(dir $(1))
	$(LD) $(GUEST_LDFLAGS) -o $(1) $(2) $(LIBPV)
endef

all: $(LIBPV)

$(LIBPV): $(LIBPV_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# string.c must not have its loops turned back into calls to itself.
$(BUILD)/libpv/string.c.o: GUEST_EXTRA_CFLAGS := -fno-tree-loop-distribute-patterns

$(BUILD)/libpv/%.c.o: pv-abi/libpv/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_EXTRA_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libpv/%.S.o: pv-abi/libpv/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

-include $(LIBPV_OBJS:.o=.d)
