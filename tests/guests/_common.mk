# Shared by every PV test guest fragment in tests/guests/ (named with a
# leading underscore so tests/build.mk includes it before them).
#
#   $(call test_guest,name): $(BUILD)/tests/guests/name.elf from name.c
#   plus testlib.c, linked against libpv, added to `all`.

TEST_GUEST_DIR    := $(BUILD)/tests/guests
TEST_GUEST_COMMON := $(TEST_GUEST_DIR)/testlib.c.o

$(TEST_GUEST_DIR)/%.c.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

define test_guest
all: $(TEST_GUEST_DIR)/$(1).elf
$(TEST_GUEST_DIR)/$(1).elf: $(TEST_GUEST_DIR)/$(1).c.o $(TEST_GUEST_COMMON) $(LIBPV) $(GUEST_LDS)
	$$(call pv_guest_link,$$@,$(TEST_GUEST_DIR)/$(1).c.o $(TEST_GUEST_COMMON))
-include $(TEST_GUEST_DIR)/$(1).c.d
endef

-include $(TEST_GUEST_COMMON:.o=.d)
