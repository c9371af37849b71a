# PV test guest sysret_noncanonical (see sysret_noncanonical.c).
$(eval $(call test_guest,sysret_noncanonical))
