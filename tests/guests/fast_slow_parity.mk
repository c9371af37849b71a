# PV test guest fast_slow_parity (see fast_slow_parity.c).
$(eval $(call test_guest,fast_slow_parity))
