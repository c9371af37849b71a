# PV test guest bad_hypercalls (see bad_hypercalls.c).
$(eval $(call test_guest,bad_hypercalls))
