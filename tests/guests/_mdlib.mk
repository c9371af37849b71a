# $(call md_test_guest,name): like test_guest (see _common.mk), but also
# linked with mdlib.c, the helpers of the multi-domain test guests.
# (Named with a leading underscore so it is included before its users.)

MDLIB := $(TEST_GUEST_DIR)/mdlib.c.o

define md_test_guest
all: $(TEST_GUEST_DIR)/$(1).elf
$(TEST_GUEST_DIR)/$(1).elf: $(TEST_GUEST_DIR)/$(1).c.o $(MDLIB) $(TEST_GUEST_COMMON) $(LIBPV) $(GUEST_LDS)
	$$(call pv_guest_link,$$@,$(TEST_GUEST_DIR)/$(1).c.o $(MDLIB) $(TEST_GUEST_COMMON))
-include $(TEST_GUEST_DIR)/$(1).c.d
endef

-include $(MDLIB:.o=.d)
