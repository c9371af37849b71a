# boot_info built with an INIT_P2M note (init_p2m_note.S): the same checks,
# with the p2m list expected at 512 GiB, outside the initial mapping.
$(TEST_GUEST_DIR)/init_p2m_note.S.o: tests/guests/init_p2m_note.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(KERNEL_ASFLAGS) -c $< -o $@

all: $(TEST_GUEST_DIR)/boot_info_init_p2m.elf
$(TEST_GUEST_DIR)/boot_info_init_p2m.elf: $(TEST_GUEST_DIR)/boot_info.c.o \
		$(TEST_GUEST_DIR)/init_p2m_note.S.o $(TEST_GUEST_COMMON) $(LIBPV) $(GUEST_LDS)
	$(call pv_guest_link,$@,$(TEST_GUEST_DIR)/boot_info.c.o $(TEST_GUEST_DIR)/init_p2m_note.S.o $(TEST_GUEST_COMMON))
