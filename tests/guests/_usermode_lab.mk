# $(call user_test_guest,name): like test_guest (see _common.mk), but also
# linked with usermode_lab.c, the minimal user mode of the test guests.
# (Named with a leading underscore so it is included before its users.)

USERMODE_LAB := $(TEST_GUEST_DIR)/usermode_lab.c.o

define user_test_guest
all: $(TEST_GUEST_DIR)/$(1).elf
$(TEST_GUEST_DIR)/$(1).elf: $(TEST_GUEST_DIR)/$(1).c.o $(USERMODE_LAB) $(TEST_GUEST_COMMON) $(LIBPV) $(GUEST_LDS)
	$$(call pv_guest_link,$$@,$(TEST_GUEST_DIR)/$(1).c.o $(USERMODE_LAB) $(TEST_GUEST_COMMON))
-include $(TEST_GUEST_DIR)/$(1).c.d
endef

-include $(USERMODE_LAB:.o=.d)
