# PV test guest spec_counters (see spec_counters.c).
$(eval $(call test_guest,spec_counters))
