# PV test guest timeguest: the PV clock and time hypercalls (see timeguest.c).
$(eval $(call test_guest,timeguest))
