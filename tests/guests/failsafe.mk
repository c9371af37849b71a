# PV test guest failsafe (see failsafe.c).
$(eval $(call test_guest,failsafe))
