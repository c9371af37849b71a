# PV test guest ptwr (see ptwr.c).
$(eval $(call test_guest,ptwr))
