# PV test guest hypercalls (see hypercalls.c).
$(eval $(call test_guest,hypercalls))
